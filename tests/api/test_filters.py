"""The filter backend skips django-filter for a call naming no filter: every filter set of the
API leaves a queryset unchanged when given no value, and filters as before when given one."""

import pytest
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver

from apps.lifecycle.states import State
from tests.factories import CustomerFactory, submit
from tests.support.api import client_for

pytestmark = pytest.mark.django_db


def _views(patterns=None):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "cls", None)
            if view is not None:
                yield view


def _filtersets():
    found = {getattr(view, "filterset_class", None) for view in _views()} - {None}
    return sorted(found, key=lambda cls: cls.__name__)


def test_the_api_has_filter_sets():
    assert {cls.__name__ for cls in _filtersets()} >= {"RequestFilter", "QueueFilter"}


@pytest.mark.parametrize("filterset_class", _filtersets(), ids=lambda cls: cls.__name__)
def test_no_value_leaves_the_queryset_unchanged(filterset_class):
    queryset = filterset_class._meta.model._default_manager.order_by("pk")
    filterset = filterset_class(data=QueryDict(""), queryset=queryset)
    assert filterset.is_valid()
    assert str(filterset.qs.query) == str(queryset.query)


def test_a_filter_still_filters_and_paging_alone_does_not():
    customer = CustomerFactory()
    submit(customer, subject="First")
    submit(customer, subject="Second")
    client = client_for(customer.user)
    everything = client.get("/api/v1/requests/", {"page": 1, "page_size": 10}).json()
    assert everything["count"] == 2
    found = client.get("/api/v1/requests/", {"q": "Second", "page_size": 10}).json()
    assert [r["subject"] for r in found["results"]] == ["Second"]
    assert client.get("/api/v1/requests/", {"state": State.CLOSED}).json()["count"] == 0
    refused = client.get("/api/v1/requests/", {"state": "no-such-state"})
    assert refused.status_code == 400
