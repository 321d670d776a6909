"""Checks for admin form fields that hold a JSON list of known values (policy and rule
conditions), so that a value no request could ever have is refused when it is typed."""

import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def known_values(choices: Iterable[tuple[Any, Any]]) -> str:
    """`"api" (API), "web" (Web)`: what an error or a help text lists."""
    return ", ".join(f"{json.dumps(value)} ({label})" for value, label in choices)


def clean_choice_list(value: object, choices: Iterable[tuple[Any, Any]]) -> list[Any]:
    """The list with repeats dropped; empty input is []. Each entry must be one of the
    choices' values with the same type the matcher compares with ("1" is not 1; true is not
    1), or a ValidationError names the unknown ones."""
    choices = list(choices)
    allowed = [v for v, _label in choices]
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError(
            _("Enter a JSON list such as [%(example)s], or leave it empty."),
            code="not_a_list",
            params={"example": json.dumps(allowed[0])},
        )
    kind = type(allowed[0])
    unknown = [v for v in value if type(v) is not kind or v not in allowed]
    if unknown:
        raise ValidationError(
            _("Unknown value %(unknown)s; use any of %(known)s."),
            code="unknown_value",
            params={"unknown": ", ".join(map(json.dumps, unknown)), "known": known_values(choices)},
        )
    return list(dict.fromkeys(value))
