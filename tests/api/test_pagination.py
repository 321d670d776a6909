"""The page and its count in one query: the same pages, counts, links and errors as Django's
paginator, one query less."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.api.pagination import PageWithCount
from apps.tickets.models import ServiceRequest
from tests.factories import CustomerFactory, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests():
    customer = CustomerFactory()
    for n in range(7):
        submit(customer, subject=f"Request {n}")
    return ServiceRequest.objects.select_related("customer__user").order_by("-created_at", "-pk")


@pytest.mark.parametrize("per_page", [1, 3, 7, 10])
def test_pages_and_counts_equal_djangos(requests, per_page):
    ours, djangos = PageWithCount(requests, per_page), Paginator(requests, per_page)
    for number in range(1, djangos.num_pages + 1):
        with CaptureQueriesContext(connection) as queries:
            page = ours.page(number)
        assert len(queries) == 1
        expected = djangos.page(number)
        assert [r.pk for r in page] == [r.pk for r in expected]
        assert ours.count == djangos.count == 7
        assert (page.has_next(), page.has_previous()) == (
            expected.has_next(),
            expected.has_previous(),
        )
        ours = PageWithCount(requests, per_page)  # a paginator per call, as DRF makes it


@pytest.mark.parametrize("number", [0, -1, 9, "x", None, "2.5", 10**30, str(2**62)])
def test_bad_pages_raise_as_djangos(requests, number):
    with pytest.raises((EmptyPage, PageNotAnInteger)) as ours:
        PageWithCount(requests, 3).page(number)
    with pytest.raises((EmptyPage, PageNotAnInteger)) as djangos:
        Paginator(requests, 3).page(number)
    assert type(ours.value) is type(djangos.value)


def test_an_empty_list_has_an_empty_first_page(requests):
    page = PageWithCount(requests.none(), 3).page(1)
    assert list(page) == []
    assert page.paginator.count == 0
    empty = PageWithCount(requests.filter(subject="nothing like it"), 3).page(1)
    assert (list(empty), empty.paginator.count) == ([], 0)


def test_a_filtered_list_counts_what_it_shows(requests):
    some = requests.filter(subject__in=["Request 1", "Request 2", "Request 5"])
    page = PageWithCount(some, 2).page(2)
    assert page.paginator.count == 3
    assert [r.subject for r in page] == [r.subject for r in Paginator(some, 2).page(2)]
