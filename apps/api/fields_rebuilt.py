"""Input serializers' fields rebuilt from their declared arguments instead of deep-copied.

DRF hands every serializer a deep copy of its declared fields, and `Field.__deepcopy__` calls
each field's constructor with deep copies of its arguments: a `PrimaryKeyRelatedField`'s base
queryset is copied whole (its `Query` too) and a nested `many=True` serializer is rebuilt through
the same path. This calls the same constructors with the same arguments, copying only what a
field could change (`RequestCreateSerializer`'s `.fields` 0.26 -> 0.13 ms, `is_valid()` 0.44 ->
0.32 ms; the constructors are most of what is left). Each serializer still gets new, unbound
field objects of its own, and so do their children (a list's `child`, a many-relation's
`child_relation`), so per-instance state (binding, lazily built validators, `fields` edited in
`__init__`) stays per instance as with DRF. Shared, as DRF's own copy shares `validators` and
`regex`: querysets and managers (a builder: `RelatedField.get_queryset()` runs `.all()` on every
use, which neither reads nor keeps a result cache), `choices` (`ChoiceField` turns them into
dicts of its own), immutable values, classes and functions. Anything else, a `default=[]` or a
`style` dict, is deep-copied as DRF does. What to share is planned once per class, from its
declared fields. For the output side see `fields_once.py`, which shares more and is only safe
for read-only serializers.
"""

import copy
import datetime
import decimal
import re
import types
from typing import NamedTuple

from django.db.models import Manager, QuerySet
from django.utils.functional import Promise
from rest_framework.fields import Field
from rest_framework.serializers import ModelSerializer

_SHARED_TYPES = (
    str,
    bytes,
    int,
    float,
    bool,
    type(None),
    decimal.Decimal,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    Promise,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    re.Pattern,
    QuerySet,
    Manager,
)
_SHARED_KWARGS = frozenset({"validators", "regex", "choices"})
_AS_IS, _REBUILD, _DEEP_COPY = "as is", "rebuild", "deep copy"


class _Plan(NamedTuple):
    """How to rebuild a field: its class, the arguments passed as they are, and those made anew
    on each call (a nested field by its own plan, anything else mutable by a deep copy)."""

    cls: type
    args: tuple
    shared: dict
    made: tuple


def _plan(field: Field) -> _Plan:
    shared, made = {}, []
    for key, value in field._kwargs.items():
        how = (_AS_IS, value) if key in _SHARED_KWARGS else _how(value)
        if how[0] is _AS_IS:
            shared[key] = value
        else:
            made.append((key, how))
    return _Plan(type(field), tuple(_how(value) for value in field._args), shared, tuple(made))


def _how(value) -> tuple:
    if isinstance(value, Field):
        return (_REBUILD, _plan(value))
    if isinstance(value, _SHARED_TYPES):
        return (_AS_IS, value)
    return (_DEEP_COPY, value)


def _make(how: tuple, memo: dict):
    kind, value = how
    if kind is _AS_IS:
        return value
    if kind is _REBUILD:
        return _build(value, memo)
    return copy.deepcopy(value, memo)


def _build(plan: _Plan, memo: dict) -> Field:
    cls, args, kwargs, made = plan
    if made:
        kwargs = kwargs | {key: _make(how, memo) for key, how in made}
    return cls(*[_make(how, memo) for how in args], **kwargs)


class FieldsRebuilt:
    """Mix into a `Serializer` (before it) whose `get_fields()` is DRF's: a deep copy of the
    declared fields. The plans are made once per class, from its declared fields."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if issubclass(cls, ModelSerializer):
            raise TypeError("FieldsRebuilt rebuilds declared fields only, not a ModelSerializer's")

    def get_fields(self):
        cls = type(self)
        plans = cls.__dict__.get("_fields_rebuilt_plans")
        if plans is None:
            plans = {name: _plan(field) for name, field in self._declared_fields.items()}
            cls._fields_rebuilt_plans = plans
        memo = {}
        return {name: _build(plan, memo) for name, plan in plans.items()}
