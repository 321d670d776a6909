"""The SLA sweep: warnings, breaches and escalation steps recorded once, even by two sweepers."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from apps.eventlog.models import Event
from apps.notifications.models import Notification
from apps.sla.models import SLAClock
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from tests.paths import Desk
from tests.sla_fixtures import T0
from workflows.sla_sweep import apply_manual_escalation, sweep_due_clocks


def _kinds(request, *kinds):
    return [
        (e.kind, e.payload.get("clock"), e.payload.get("percent"))
        for e in Event.objects.filter(request=request, kind__in=kinds).order_by("seq")
    ]


@pytest.mark.django_db
def test_warning_then_breach_then_escalation_each_recorded_once(customer, standard_policy, clock):
    desk = Desk(customer)
    request = desk.request_in("assigned")  # first response due at T0 + 60 min
    clock.advance(minutes=44)
    assert sweep_due_clocks() == 0  # 73%: nothing due yet
    clock.advance(minutes=2)  # 76%
    assert sweep_due_clocks() == 1
    assert sweep_due_clocks() == 0  # idempotent
    assert _kinds(request, "sla_warning", "sla_breach") == [("sla_warning", "first_response", 75)]
    # The 75% step notifies the assignee.
    assert Notification.objects.filter(recipient=desk.lead.user, kind="escalation").count() == 1
    clock.advance(minutes=15)  # 101%
    assert sweep_due_clocks() == 1
    assert sweep_due_clocks() == 0
    request = ServiceRequest.objects.get(pk=request.pk)
    assert request.escalation_level == 1  # the 100% step raised the level
    steps = Event.objects.filter(request=request, kind="escalation").order_by("seq")
    assert [e.payload["percent"] for e in steps] == [75, 100]
    assert steps[1].payload["actions"]["raise_level"] == "level 1"
    assert "notify_lead" in steps[1].payload["actions"]
    first = SLAClock.objects.get(request=request, kind="first_response")
    assert first.breached_at is not None and first.warned_at is not None
    call_command("check_event_log")


@pytest.mark.django_db
def test_half_the_target_overdue_raises_priority(customer, standard_policy, clock):
    request = Desk(customer).request_in("assigned")
    before = request.priority
    clock.advance(minutes=95)  # 158% of the first response: all three thresholds at once
    assert sweep_due_clocks() == 3
    assert ServiceRequest.objects.get(pk=request.pk).priority == before - 1
    assert [p for _, _, p in _kinds(request, "escalation")] == [75, 100, 150]


@pytest.mark.django_db
def test_a_paused_clock_is_never_due(customer, standard_policy, clock):
    desk = Desk(customer)
    request = desk.request_in("pending_customer")
    SLAClock.objects.filter(request=request, kind="first_response").update(state="stopped")
    clock.advance(days=2)
    assert sweep_due_clocks() == 0


@pytest.mark.django_db
def test_manual_escalation_runs_the_manual_steps_once(
    customer, customer_actor, standard_policy, clock
):
    desk = Desk(customer)
    request = desk.request_in("assigned")
    request = services.transition(request, "escalate", actor=customer_actor)
    seq = request.last_event_seq
    assert apply_manual_escalation(request.pk, event_seq=seq) is True
    assert apply_manual_escalation(request.pk, event_seq=seq) is False
    assert Notification.objects.filter(recipient=desk.lead.user).count() == 1
    call_command("check_event_log")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweepers_record_each_warning_once(customer, standard_policy):
    import time_machine

    desk = Desk(customer)
    with time_machine.travel(T0, tick=False):
        requests = [desk.request_in("assigned") for _ in range(12)]
    results = [None, None]
    barrier = threading.Barrier(2)

    def sweep(i: int) -> None:
        try:
            barrier.wait()
            results[i] = sweep_due_clocks(now=T0 + timedelta(minutes=50))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # Left behind by one sweeper's SKIP LOCKED, picked up by the next sweep.
    leftover = sweep_due_clocks(now=T0 + timedelta(minutes=50))
    assert sum(results) + leftover == len(requests)
    warnings = Event.objects.filter(request__in=requests, kind="sla_warning")
    assert warnings.count() == len(requests)
    assert sweep_due_clocks(now=T0 + timedelta(minutes=50)) == 0
    call_command("check_event_log")
