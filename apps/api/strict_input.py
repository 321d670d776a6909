"""Input serializers refuse body fields they do not know (400 naming them), rather than drop
them silently: a client's misspelt `priorty` or a field it may not set must not look accepted.
And a JSON value must have the type the schema gives its field: DRF reads `0` as the text "0"
or as false, `"3"` as the number 3, so a client's wrong type looked accepted."""

import re
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, PrimaryKeyRelatedField
from rest_framework.utils import html

# What a browser form adds to a body (the CSRF token, the browsable API's override fields).
FORM_NOISE = frozenset({"csrfmiddlewaretoken", "_content_type", "_content"})

TEXT = (
    serializers.CharField,
    serializers.DateTimeField,
    serializers.DateField,
    serializers.TimeField,
    serializers.DurationField,
)


class RefusesUnknownFields:
    """Mix in first, before `serializers.Serializer`, on every serializer that parses a body."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            # Read-only fields are known: a client may send back what it read.
            unknown = sorted(set(data) - set(self.fields) - FORM_NOISE)
            if unknown:
                message = _("Unknown field: this endpoint does not take it.")
                raise serializers.ValidationError({name: [message] for name in unknown})
            wrong = _wrong_types(self, data)
            if wrong:
                # Named with every other bad field DRF finds (a missing `subject` too).
                try:
                    super().to_internal_value(data)
                except serializers.ValidationError as exc:
                    others = exc.detail if isinstance(exc.detail, dict) else {}
                    raise serializers.ValidationError({**others, **wrong}) from None
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


def _wrong_types(serializer, data: Mapping) -> dict:
    form = html.is_html_input(data)
    errors = {}
    for name, field in serializer.fields.items():
        if field.read_only or name not in data:
            continue
        value = field.get_value(data)
        message = _form_value_error(field, value) if form else _json_value_error(field, value)
        if message:
            errors[name] = [message]
    return errors


def _json_value_error(field, value):
    """What is wrong with the type of a JSON value for `field`, or None. None itself is left to
    DRF (`allow_null`); nested serializers check their own."""
    if value is None or isinstance(field, serializers.BaseSerializer):
        return None
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _("Must be true or false.")
    if isinstance(field, serializers.ChoiceField):
        return _choice_error(field, value)
    if isinstance(field, (serializers.IntegerField, PrimaryKeyRelatedField)):
        return None if _is_whole(value) else _("Must be a whole number.")
    if isinstance(field, serializers.FloatField):
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if number else _("Must be a number.")
    if isinstance(field, TEXT):
        return None if isinstance(value, str) else _("Must be text.")
    return _container_error(field, value)


def _container_error(field, value):
    """A map or a list: its type, then each value's."""
    if isinstance(field, serializers.DictField):
        if not isinstance(value, dict):
            return _("Must be an object.")
        return _first(field.child, value.values())
    if isinstance(field, (serializers.ListField, ManyRelatedField)):
        if not isinstance(value, list):
            return _("Must be a list.")
        return _first(getattr(field, "child", None) or field.child_relation, value)
    return None


def _first(child, values):
    return next((e for e in (_json_value_error(child, v) for v in values) if e), None)


def _choice_error(field, value):
    if isinstance(field, serializers.MultipleChoiceField):
        if not isinstance(value, list):
            return _("Must be a list.")
        return next((e for e in (_one_choice_error(field, v) for v in value) if e), None)
    return _one_choice_error(field, value)


def _one_choice_error(field, value):
    """A choice as its own JSON type: `3` is not the choice "3", nor `"3"` the choice 3."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return _("Not one of the choices.")
    if value == "" and field.allow_blank:
        return None
    return None if value in field.choices else _("Not one of the choices.")


def _is_whole(value) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _form_value_error(field, value):
    """A form body's values are all text: a boolean is `true` or `false`, a number digits."""
    if not isinstance(value, str):
        return None
    if isinstance(field, serializers.BooleanField):
        return None if value in ("true", "false") else _("Must be true or false.")
    if isinstance(field, serializers.IntegerField) and not re.fullmatch(r"-?[0-9]+", value):
        return _("Must be a whole number.")
    return None
