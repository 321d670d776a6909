"""The unfiltered request list read by one hand-written statement (apps/tickets/page_sql.py)
answers what the ORM's page (`selectors.list_page_requests_for`) answers: the same rows in the
same order, the same count and links, the same bodies and errors, for every kind of reader."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from rest_framework import serializers

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.tickets import page_sql, selectors
from apps.tickets.api.serializers import RequestSerializer
from apps.tickets.models import ServiceRequest
from tests.factories import AgentFactory, UserFactory, submit
from tests.support.api import client_for
from tests.tickets.test_api_query_counts import population  # noqa: F401  the fixture, reused
from tests.tickets.test_api_representation import _vary

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

QUERIES = [
    {},
    {"page": 2},
    {"page_size": 7, "page": 3},
    {"page_size": 100},
    {"page": "last"},
    {"page": 9},  # past the end: 404
    {"page": "x"},  # not a number: 404
    {"page_size": "x"},  # not a whole number: 400
]


def _answers(client, query: dict) -> tuple[int, dict]:
    response = client.get("/api/v1/requests/", query)
    body = response.json()
    body.get("error", {}).pop("request_id", None)  # each call's own
    return response.status_code, body


def _readers(population) -> dict:  # noqa: F811  the fixture imported above, passed on
    """Who reads, with users named in full, by one name, or by their user name alone."""
    desk = population.desk
    for user, first, last in (
        (desk.customer.user, "Ada", "Lovelace"),
        (desk.lead.user, "", "Wu"),
        (population.multi.user, "Mei ", ""),
    ):
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    return {
        "customer": desk.customer.user,
        "agent of both departments": population.multi.user,
        "lead": desk.lead.user,
        "agent of one department": desk.second.user,
        "agent of no department": AgentFactory(departments=[]).user,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


def test_the_statement_answers_as_the_orm(population, monkeypatch):  # noqa: F811  the fixture imported above
    _vary(population)
    ServiceRequest.objects.filter(pk=population.mine[3].pk).update(
        department=None, assignee=None, approval_group=None
    )
    used = []
    read = page_sql.RequestPageSource.page_with_count
    monkeypatch.setattr(
        page_sql.RequestPageSource,
        "page_with_count",
        lambda self, offset, limit: used.append(1) or read(self, offset, limit),
    )
    for reader, user in _readers(population).items():
        client = client_for(user)
        for query in QUERIES:
            fast = _answers(client, query)
            with monkeypatch.context() as orm_only:
                orm_only.setattr(page_sql, "request_page_source", lambda actor: None)
                assert _answers(client, query) == fast, (reader, query)
            if fast[0] == 200:
                assert fast[1]["results"], (reader, query)
    assert len(used) > 20  # the statement served the calls


def test_every_reader_sees_the_orms_rows_and_count(population):  # noqa: F811  the fixture imported above
    assert ServiceRequest._meta.ordering == ["-created_at"]  # as the statement orders
    for reader, user in _readers(population).items():
        actor = actor_for_user(user)
        source = page_sql.request_page_source(actor)
        assert source is not None, reader
        expected = list(selectors.list_page_requests_for(actor).values_list("pk", flat=True))
        assert source.count() == len(expected), reader
        rows, count = source.page_with_count(0, 200)
        assert [r.pk for r in rows] == expected, reader
        assert count == (len(expected) if expected else 0)
        assert [r.pk for r in source[2:5]] == expected[2:5]


def test_a_page_is_one_statement_and_renders_without_more(population, django_assert_num_queries):  # noqa: F811  the fixture imported above
    """The clocks and files of the rows that have some come after (`selectors.load_page`);
    then rendering the page reads nothing: no row reads its forecast, names or state again."""
    _vary(population)  # forecasts on some rows
    actor = actor_for_user(population.desk.customer.user)
    source = page_sql.request_page_source(actor)
    with django_assert_num_queries(1):
        rows, count = source.page_with_count(0, 25)
    assert len(rows) == 25 and count > 25
    selectors.load_page(rows, actor)
    with django_assert_num_queries(0):
        for row in rows:
            assert RequestSerializer(row, context={"actor": actor}).data["customer"]


def test_filtered_lists_and_other_callers_keep_the_orm(population, monkeypatch):  # noqa: F811  the fixture imported above
    assert page_sql.request_page_source(SYSTEM) is None

    def refuse(self, offset, limit):
        raise AssertionError("a filtered list read by the statement")

    monkeypatch.setattr(page_sql.RequestPageSource, "page_with_count", refuse)
    client = client_for(population.desk.customer.user)
    response = client.get("/api/v1/requests/", {"state": "new"})
    assert response.status_code == 200
    assert {item["state"] for item in response.json()["results"]} == {"new"}


@pytest.mark.parametrize(
    ("zone", "language"),
    [("UTC", "en"), ("Europe/Berlin", "zh-hans"), ("America/St_Johns", "en")],
)
def test_datetimes_and_labels_follow_the_callers_zone_and_language(customer, zone, language):
    """The representation reads the time zone and language once per serializer
    (apps/tickets/api/representation.py): each serializer still renders as DRF does in the
    zone and language active when it renders."""
    request = submit(customer, subject="Zones")
    ServiceRequest.objects.filter(pk=request.pk).update(
        first_response_at=request.created_at + timedelta(hours=7, microseconds=5)
    )
    request = selectors.list_requests_for(actor_for_user(customer.user)).get(pk=request.pk)
    context = {"actor": actor_for_user(customer.user)}
    with timezone.override(ZoneInfo(zone)), translation.override(language):
        ours = RequestSerializer(request, context=context).data
        fresh = RequestSerializer(request, context=context)
        drfs = serializers.ModelSerializer.to_representation(fresh, request)
        field = serializers.DateTimeField()
        first_response = field.to_representation(request.first_response_at)
        created = field.to_representation(request.created_at)
    assert ours == drfs
    assert (ours["first_response_at"], ours["created_at"]) == (first_response, created)
    assert first_response.endswith("Z") == (zone == "UTC")
    assert ours["state_label"] == drfs["state_label"]
