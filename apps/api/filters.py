"""The API's filter backend: django-filter's, skipped for a call that names no filter."""

from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    """A call with no query parameter besides the page's gets the queryset as it is: every
    filter of ours leaves it unchanged for a missing value, and building and validating the
    filter form for nothing was a twelfth of a list call (docs/performance.md).
    tests/api/test_filters.py holds every filter set of the API to that."""

    def filter_queryset(self, request, queryset, view):
        paginator = getattr(view, "paginator", None)
        paging = {
            getattr(paginator, "page_query_param", None),
            getattr(paginator, "page_size_query_param", None),
        }
        if all(name in paging for name in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
