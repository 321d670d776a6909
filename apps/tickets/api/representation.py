"""The request's representation without DRF's per-field machinery: one step per field, built
once per serializer class (`RequestSerializer.to_representation`)."""

from datetime import tzinfo
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone, translation
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from apps.tickets import extensions
from apps.tickets.transition_table import allowed_transitions


def render(serializer, instance) -> dict:
    """The dict DRF's `Serializer.to_representation` gives for `instance`."""
    if "rendering" not in serializer.__dict__:  # once per serializer: a list's child
        serializer.rendering = Rendering(
            zone=timezone.get_current_timezone(),
            language=translation.get_language(),
            iso=settings.USE_TZ and (api_settings.DATETIME_FORMAT or "").lower() == ISO_8601,
        )
    out = {}
    for name, step in _steps(serializer):
        out[name] = step(serializer, instance)
    return out


_PLAIN = (
    serializers.CharField,
    serializers.IntegerField,
    serializers.ChoiceField,
    serializers.DateTimeField,
    serializers.BooleanField,
)


def _named(attribute: str):
    def render(serializer, instance):
        shown = getattr(instance, "shown", None)  # apps/tickets/page_sql.py
        if shown is not None:
            return shown[attribute]
        related = getattr(instance, attribute)
        return None if related is None else {"id": int(related.id), "name": str(related.name)}

    return render


def _person(attribute: str):
    def render(serializer, instance):
        shown = getattr(instance, "shown", None)
        if shown is not None:
            return shown[attribute]
        person = getattr(instance, attribute)
        if person is None:
            return None
        user = person.user
        return {"id": int(person.id), "name": str(user.get_full_name() or user.get_username())}

    return render


def _empty_or_drf(name: str, read):
    def render(serializer, instance):
        value = read(instance)
        return [] if not value else serializer.fields[name].to_representation(value)

    return render


def _plain(name: str, field):
    to_representation = field.to_representation

    def render(serializer, instance):
        value = getattr(instance, name)
        return None if value is None else to_representation(value)

    return render


class Rendering(NamedTuple):
    """What every row of a rendering shares: read once per serializer, not per field."""

    zone: tzinfo
    language: str | None
    iso: bool  # DRF's datetime format is ISO 8601 in the current time zone


def _datetime(name: str, field):
    """DRF's `DateTimeField.to_representation` for an aware value, in ISO 8601 (the API's
    format) in the current time zone: a third of the rendering went to its generic steps."""
    to_representation = field.to_representation
    own_format = hasattr(field, "format") or hasattr(field, "timezone")

    def render(serializer, instance):
        value = getattr(instance, name)
        if value is None:
            return None
        rendering = serializer.rendering
        if own_format or not rendering.iso or value.utcoffset() is None:
            return to_representation(value)
        text = value.astimezone(rendering.zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render


# str() of a choice's lazily translated label, per language, value and choices: the
# translation machinery ran twice per row of a list.
_LABELS: dict[tuple, str] = {}


def label(serializer, choices, value) -> str:
    """`str(choices(value).label)` in the language of the serializer's rendering."""
    rendering = serializer.__dict__.get("rendering")
    language = translation.get_language() if rendering is None else rendering.language
    key = (language, choices, value)
    found = _LABELS.get(key)
    if found is None:
        found = _LABELS[key] = str(choices(value).label)
    return found


def _through_drf(name: str):
    def render(serializer, instance):
        field = serializer.fields[name]
        value = field.get_attribute(instance)
        return None if value is None else field.to_representation(value)

    return render


def _attachments(instance):
    if not getattr(instance, "has_files", True):  # selectors.list_page_requests_for
        return None
    return instance.attachments if instance.attachments.all() else None


def _sla(serializer, instance):
    if not getattr(instance, "has_clocks", True):  # selectors.list_page_requests_for
        return []
    return serializer.get_sla(instance)


_WRITTEN_OUT = {
    "state_label": lambda s, r: s.get_state_label(r),
    "priority_label": lambda s, r: s.get_priority_label(r),
    "category": _named("category"),
    "department": _named("department"),
    "assignee": _person("assignee"),
    "customer": _person("customer"),
    "attachments": _empty_or_drf("attachments", _attachments),
    "declared_attachments": _empty_or_drf("declared_attachments", lambda r: r.declared_attachments),
    "allowed_transitions": lambda s, r: allowed_transitions(r, s.context["actor"]),
    "sla": _sla,
    "expected_by": lambda s, r: extensions.expected_by(r),
    "merged_into": lambda s, r: s.get_merged_into(r),
}


def _steps(serializer) -> list:
    """(name, render) for each field of the serializer's class, built once per class from
    its unbound fields (`FieldsBuiltOnce`)."""
    cls = type(serializer)
    steps = cls.__dict__.get("_representation_steps")
    if steps is None:
        steps = []
        for name, field in serializer.get_fields().items():
            if field.write_only:
                continue
            if name in _WRITTEN_OUT:
                steps.append((name, _WRITTEN_OUT[name]))
            elif type(field) is serializers.DateTimeField and field.source in (None, name):
                steps.append((name, _datetime(name, field)))
            elif type(field) in _PLAIN and field.source in (None, name):
                steps.append((name, _plain(name, field)))
            else:
                steps.append((name, _through_drf(name)))
        cls._representation_steps = steps
    return steps
