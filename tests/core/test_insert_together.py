"""A submit inserts the request, its event and its SLA clocks in one statement on PostgreSQL, and
writes the same rows as saving them one table after another (the path of other databases)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from apps.accounts.actors import actor_for_user
from apps.eventlog.models import Event
from apps.sla.models import SLAClock
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _submit(customer, actor=None):
    with time_machine.travel(T0, tick=False):
        return services.do_submit_request(
            actor=actor or actor_for_user(customer.user),
            customer=customer,
            subject="Printer jams",
            description="On every second page.",
            declared_attachments=[{"name": "jam.jpg", "size": 2048, "content_type": "image/jpeg"}],
        )


def _rows(request) -> dict:
    """Every column of the request's rows but the ids that differ between two requests."""
    own = ("id", "request_id", "customer_id")

    def columns(obj):
        fields = obj._meta.concrete_fields
        return {f.attname: getattr(obj, f.attname) for f in fields if f.attname not in own}

    return {
        "request": columns(ServiceRequest.objects.get(pk=request.pk)),
        "events": [columns(e) for e in Event.objects.filter(request=request).order_by("seq")],
        "clocks": [columns(c) for c in SLAClock.objects.filter(request=request).order_by("kind")],
    }


def _one_table_after_another(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")


def test_a_submit_under_a_policy_is_one_statement(standard_policy, django_assert_num_queries):
    customer = CustomerFactory()
    actor = actor_for_user(customer.user)
    # The policies with their conditions and steps (4: cached for seconds outside tests).
    with django_assert_num_queries(5) as queries:
        request = _submit(customer, actor)
    assert queries.captured_queries[-1]["sql"].startswith("WITH parent AS (INSERT INTO")
    rows = _rows(request)
    assert [e["kind"] for e in rows["events"]] == ["transition", "sla_clock", "sla_clock"]
    assert [e["seq"] for e in rows["events"]] == [1, 2, 3]
    assert rows["request"]["last_event_seq"] == 3
    assert [c["kind"] for c in rows["clocks"]] == ["first_response", "resolution"]
    call_command("check_event_log")


@pytest.mark.parametrize("with_policy", [True, False])
def test_one_statement_writes_the_rows_the_tables_one_by_one_write(
    with_policy, request, monkeypatch
):
    if with_policy:
        request.getfixturevalue("standard_policy")
    customer = CustomerFactory()
    together = _submit(customer)
    _one_table_after_another(monkeypatch)
    one_by_one = _submit(customer)
    assert together.pk != one_by_one.pk
    assert _rows(together) == _rows(one_by_one)
    assert len(_rows(together)["events"]) == (3 if with_policy else 1)


@pytest.mark.parametrize("together", [True, False])
def test_the_returned_request_holds_its_rows_as_saved(standard_policy, together, monkeypatch):
    if not together:
        _one_table_after_another(monkeypatch)
    created = _submit(CustomerFactory())
    assert not created._state.adding
    clocks = list(created.sla_clocks.all())  # prefetched: what the door wrote
    assert sorted(c.pk for c in clocks) == sorted(
        SLAClock.objects.filter(request=created).values_list("pk", flat=True)
    )
    assert all(c.request_id == created.pk and c.request is created for c in clocks)
    assert all(not c._state.adding for c in clocks)


@pytest.mark.django_db(transaction=True)
def test_a_failing_insert_leaves_nothing(standard_policy):
    """One statement is atomic (in autocommit, as in a web worker): an event the database
    refuses takes the request and its clocks with it."""
    customer = CustomerFactory()
    before = ServiceRequest.objects.count(), Event.objects.count(), SLAClock.objects.count()
    with pytest.raises(Exception, match="value too long"):
        services.do_submit_request(
            actor=actor_for_user(customer.user),
            customer=customer,
            subject="Printer jams",
            channel="x" * 300,  # too long for the event's and the request's column
        )
    after = ServiceRequest.objects.count(), Event.objects.count(), SLAClock.objects.count()
    assert after == before
