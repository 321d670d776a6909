"""A request's reference (`SR-000123`): formatting and parsing it, and admin search by it."""

import re

REFERENCE_PREFIX = "SR-"
_REFERENCE = re.compile(r"^\s*(?:SR-?)?0*(\d{1,18})\s*$", re.IGNORECASE)


def parse_reference(text: str) -> int | None:
    """The primary key behind a reference such as `SR-000123` (or `123`), or None."""
    match = _REFERENCE.match(text or "")
    return int(match.group(1)) if match else None


class ReferenceSearchMixin:
    """Admin search that also finds a request by reference (`SR-000123` or `123`);
    `reference_lookup` is the path from the listed model to the request's primary key."""

    reference_lookup = "pk"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        pk = parse_reference(search_term)
        if pk is not None:
            results |= queryset.filter(**{self.reference_lookup: pk})
        return results, may_have_duplicates
