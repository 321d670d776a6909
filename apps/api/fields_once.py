"""A ModelSerializer builds its fields by introspecting the model for every instance it
renders, and DRF then deep-copies them: 1.3 ms for a request's 26 fields, a fifth of a create.
This builds them once per class and hands each serializer a shallow copy of each (0.05 ms):
fields are bound to their serializer, and a method field reads the context through it, so
the bound objects are never shared; what the copies share (choices, validators, a nested
serializer's declared fields) is only read when rendering. For output serializers only: an
input field may keep state while validating (a list field's child is bound to its parent);
input serializers rebuild theirs from the declared arguments instead (`fields_rebuilt.py`)."""

import copy


class FieldsBuiltOnce:
    """Mix into a read-only serializer whose fields do not depend on the instance or the
    context (a ModelSerializer, or one made for each item rendered, as an SLA clock's)."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return {name: copy.copy(field) for name, field in built.items()}
