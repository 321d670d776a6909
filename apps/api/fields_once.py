"""A ModelSerializer builds its fields by introspecting the model for every instance it
renders, and DRF then deep-copies them: 1.3 ms for a request's 26 fields, a fifth of a create.
This builds them once per class and hands each serializer a shallow copy of each (0.05 ms):
fields are bound to their serializer, and a method field reads the context through it, so
the bound objects are never shared; what the copies share (choices, validators, a nested
serializer's declared fields) is only read when rendering. For output serializers only: an
input field may keep state while validating (a list field's child is bound to its parent), so
input serializers keep DRF's own deep copy. No private name of DRF: `get_fields()` is the
documented hook, and the copies rely on fields being bound after it returns (DRF's
`Serializer.fields`); tests/api/test_fields_built_once.py fails if that changes."""

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
