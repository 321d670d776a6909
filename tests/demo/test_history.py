"""The back-dated history generator writes a log that replays, and clocks the sweep leaves."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from apps.analytics.metrics import compute_metrics
from apps.demo.history import TAG, generate_history
from apps.eventlog.models import Event
from apps.eventlog.replay import check_log
from apps.sla.models import ClockState, SLAClock
from apps.tickets.models import ServiceRequest
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, DepartmentFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def organisation(office_policy):
    departments = [DepartmentFactory(), DepartmentFactory()]
    for department in departments:
        AgentFactory.create_batch(2, departments=[department])
        CategoryFactory(default_department=department)
    CustomerFactory.create_batch(3)


def test_history_replays_and_feeds_the_metrics(organisation):
    totals = generate_history(requests=300, days=14, seed=7, now=NOW, chunk=120)
    assert totals["requests"] == 300
    assert Event.objects.count() == totals["events"]
    rows = ServiceRequest.objects.values_list("pk", "state", "last_event_seq")
    assert list(check_log(rows)) == []
    assert all(TAG in tags for tags in ServiceRequest.objects.values_list("tags", flat=True))
    assert ServiceRequest.objects.filter(created_at__gt=NOW).count() == 0
    # Thresholds already passed are recorded: the live sweep has nothing due from history.
    running = SLAClock.objects.filter(state=ClockState.RUNNING)
    assert not running.filter(next_check_at__lte=NOW).exists()
    (row,) = compute_metrics(start=NOW - timedelta(days=15), end=NOW)
    assert row["volume"]["created"] == 300
    assert (
        row["volume"]["backlog"]
        == ServiceRequest.objects.filter(
            state__in=[
                "new",
                "queued",
                "assigned",
                "in_progress",
                "pending_customer",
                "bot_answered",
                "awaiting_approval",
            ]
        ).count()
    )
    assert 0 < row["rates"]["deflection"]["rate"] < 0.2
    assert row["resolution"]["business"]["count"] > 100
    assert row["sla"]["resolution"]["total"] > 100
    assert row["csat"]["count"] > 20


def test_the_same_seed_gives_the_same_history(organisation):
    generate_history(requests=40, days=5, seed=3, now=NOW)
    first = list(Event.objects.values_list("kind", "transition", "at"))
    assert len(first) > 100
    assert generate_history(requests=40, days=5, seed=3, now=NOW)["events"] == len(first)


def test_command_needs_an_organisation(db):
    with pytest.raises(CommandError, match="load_demo_data"):
        call_command("generate_history", "--requests", "5", "--no-progress")
