"""The priority a request arrived with: its submission's, with the changes made before it left
`new` (a routing rule's), not a later escalation's; discovery and the validation's replay key
each request by it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from apps.accounts.actors import SYSTEM
from apps.demo import loading as demo
from apps.demo.history import generate_history
from apps.eventlog.models import Event, EventKind
from apps.simulation.arrival_priority import arrival_priorities
from apps.simulation.demand import submissions
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.transition_data import EscalateData, RouteData
from tests.factories import submit

NOW = datetime(2026, 3, 19, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_an_escalation_s_raise_is_not_the_arrival_priority_a_routing_rule_s_is(
    customer, department
):
    start = datetime.now(UTC) - timedelta(hours=1)
    raised_late = submit(customer, subject="Printer", impact="medium", urgency="medium")
    raised_late = services.transition(
        raised_late, "route", actor=SYSTEM, data=RouteData(department=department)
    )
    raised_late = services.transition(
        raised_late, "escalate", actor=SYSTEM, data=EscalateData(raise_priority=True)
    )
    triaged = submit(customer, subject="Outage", impact="medium", urgency="medium")
    services.transition(
        triaged, "route", actor=SYSTEM, data=RouteData(department=department, priority=1)
    )
    # A log whose submissions did not record the priority (written before the door did).
    at = datetime.now(UTC)
    unrecorded = ServiceRequest.objects.create(
        customer=customer, subject="Old log", priority=4, created_at=at, state_changed_at=at
    )
    Event.objects.create(
        request=unrecorded,
        seq=1,
        kind=EventKind.TRANSITION,
        transition="submit",
        to_state="new",
        actor_role="customer",
        at=at,
        payload={"channel": "api"},
    )
    end = datetime.now(UTC) + timedelta(hours=1)

    assert ServiceRequest.objects.get(pk=raised_late.pk).priority == 2
    found = arrival_priorities(start, end)
    assert found == {raised_late.pk: "3", triaged.pk: "1"}
    # The validation's replay takes the same (the current priority where none is recorded).
    assert [arrival.priority for arrival in submissions(start, end)] == ["3", "1", "4"]


@pytest.mark.django_db
def test_the_generated_history_records_the_raise_as_the_door_does():
    """The history generator writes the submission's priority and an escalation's raise into
    the events' payloads, as the door does: every request raised since arrived one step lower."""
    with time_machine.travel(NOW, tick=False):
        demo.load()
    generate_history(requests=400, days=10, seed=5, now=NOW)
    found = arrival_priorities(NOW - timedelta(days=10), NOW)
    requests = ServiceRequest.objects.filter(
        created_at__gte=NOW - timedelta(days=10), created_at__lt=NOW
    )
    assert set(found) == set(requests.values_list("pk", flat=True))
    raises = Event.objects.filter(transition="escalate", payload__has_key="priority")
    assert raises.exists()
    changes: dict[int, list[dict]] = {}
    for request_id, payload in raises.order_by("seq").values_list("request_id", "payload"):
        changes.setdefault(request_id, []).append(payload["priority"])
    current = dict(requests.values_list("pk", "priority"))
    for request_id, steps in changes.items():
        assert all(step["to"] == max(1, step["from"] - 1) for step in steps)
        assert found[request_id] == str(steps[0]["from"])
        assert steps[-1]["to"] == current[request_id]
    kept = set(current) - set(changes)
    assert all(found[pk] == str(current[pk]) for pk in kept)
