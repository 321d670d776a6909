"""A request's reference (`SR-000123`): formatting and parsing it, and admin search by it."""

import re
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

REFERENCE_PREFIX = "SR-"
_REFERENCE = re.compile(r"^\s*(?:SR-?)?0*(\d{1,18})\s*$", re.IGNORECASE)


def format_reference(pk: int) -> str:
    """`SR-000123` for the request with primary key 123."""
    return f"{REFERENCE_PREFIX}{pk:06d}"


def parse_reference(text: str) -> int | None:
    """The primary key behind a reference such as `SR-000123` (or `123`), or None."""
    match = _REFERENCE.match(text or "")
    return int(match.group(1)) if match else None


class ReferenceSearchMixin:
    """Admin search that also finds a request by reference (`SR-000123` or `123`);
    `reference_lookup` is the path from the listed model to the request's primary key."""

    reference_lookup = "pk"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # The ModelAdmin this is mixed into has the method; the mixin's own base does not.
        found = super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        results, may_have_duplicates = found
        pk = parse_reference(search_term)
        if pk is not None:
            results |= queryset.filter(**{self.reference_lookup: pk})
        return results, may_have_duplicates
