"""Page-number pagination with a bounded page size; the page and its count in one query."""

from django.core.paginator import Page, Paginator
from django.db.models import F, Func, QuerySet, Subquery
from rest_framework.pagination import PageNumberPagination

# The annotation that carries the list's count on each row of a page.
TOTAL = "page_total_rows"
MAX_OFFSET = 2**62


class PageWithCount(Paginator):
    """Django's paginator, but a page of a queryset is read together with the list's count
    (an uncorrelated scalar subquery, which PostgreSQL runs once): one round trip instead of
    two; or a source that reads a page and its count itself (`page_with_count(offset,
    limit)`, apps/tickets/page_sql.py). The count is the one `QuerySet.count()` gives (the
    same FROM and WHERE, no DISTINCT in our lists); an empty page (past the end, or an empty
    list) falls back to Django's own `page()`, which counts and raises as before
    (tests/api/test_pagination.py)."""

    def page(self, number):
        rows = self.object_list
        read_together = isinstance(rows, QuerySet) or hasattr(rows, "page_with_count")
        if not read_together or self.orphans or "count" in vars(self):
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)
        bottom = (number - 1) * self.per_page
        if number < 1 or bottom > MAX_OFFSET:  # an OFFSET past bigint: Django's count refuses it
            return super().page(number)
        if isinstance(rows, QuerySet):
            found, count = self._queryset_page(rows, bottom)
        else:  # a source reading both itself (apps/tickets/page_sql.py)
            found, count = rows.page_with_count(bottom, self.per_page)
        if not found:
            return super().page(number)
        self.count = count  # the cached property, as Django would set it
        return Page(found, number, self)

    def _queryset_page(self, rows: QuerySet, bottom: int) -> tuple[list, int]:
        # COUNT as a plain function, not an aggregate: no GROUP BY, one row.
        total = rows.order_by().annotate(**{TOTAL: Func(F("pk"), function="COUNT")}).values(TOTAL)
        found = list(rows.annotate(**{TOTAL: Subquery(total)})[bottom : bottom + self.per_page])
        return found, getattr(found[0], TOTAL) if found else 0


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = PageWithCount
