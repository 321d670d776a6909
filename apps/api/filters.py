"""The API's filter backend (django-filter's, skipped for a call that names no filter) and the
filters that hold a value to what the schema says: booleans, ids."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field


class FilterBackend(DjangoFilterBackend):
    """A call with no query parameter besides the page's gets the queryset as it is: every
    filter of ours leaves it unchanged for a missing value, and building and validating the
    filter form for nothing was a twelfth of a list call (docs/performance.md).
    tests/api/test_filters.py holds every filter set of the API to that."""

    def filter_queryset(self, request, queryset, view):
        if not names_a_filter(request, view):
            return queryset
        return super().filter_queryset(request, queryset, view)


def names_a_filter(request, view) -> bool:
    """Whether the call has a query parameter besides the page's (page, page_size)."""
    paginator = getattr(view, "paginator", None)
    paging = {
        getattr(paginator, "page_query_param", None),
        getattr(paginator, "page_size_query_param", None),
    }
    return not all(name in paging for name in request.query_params)


class StrictBooleanField(forms.Field):
    """`true` or `false`, as the schema's boolean says; empty is not given. Django's
    NullBooleanField reads `2`, `0.5` or `null` as not given, so a typo silently filtered
    nothing."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in BOOLEANS:
            return BOOLEANS[value]
        raise forms.ValidationError(_("Either true or false."), code="invalid")


BOOLEANS = {"true": True, "false": False}


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


# What a bigint primary key holds; a larger id would overflow in the database.
MAX_ID = 2**63 - 1
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def id_filter(field_name: str, **kwargs) -> django_filters.NumberFilter:
    """An object's id, 1 to MAX_ID, in the schema too; an id that matches nothing filters to an
    empty list (as any other filter value does), not a 400."""
    number = django_filters.NumberFilter(field_name=field_name, **kwargs)
    number.field_class = IdField
    return extend_schema_field(ID_SCHEMA)(number)
