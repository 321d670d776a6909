"""SLA policies and a moving clock for tests."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from apps.sla.models import EscalationPolicy, EscalationStep, SLAPolicy

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


class Clock:
    """Moves the test process's time; the door and the sweep read timezone.now()."""

    def __init__(self, start: datetime):
        self.now = start
        self._travel = time_machine.travel(start, tick=False)
        self._traveller = self._travel.start()

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        self._traveller.move_to(self.now)
        return self.now

    def stop(self) -> None:
        self._travel.stop()


@pytest.fixture
def clock():
    moving = Clock(T0)
    yield moving
    moving.stop()


@pytest.fixture
def escalation_policy(db):
    policy = EscalationPolicy.objects.create(name="Standard escalation")
    EscalationStep.objects.create(policy=policy, at_percent=75, notify_assignee=True)
    EscalationStep.objects.create(policy=policy, at_percent=100, notify_lead=True, raise_level=True)
    EscalationStep.objects.create(policy=policy, at_percent=150, raise_priority=True)
    EscalationStep.objects.create(policy=policy, on_manual=True, notify_lead=True)
    return policy


@pytest.fixture
def standard_policy(db, escalation_policy):
    """Any request, 24x7: first response 60 min, resolution 240 min, next response 120 min."""
    return SLAPolicy.objects.create(
        name="Standard",
        order=100,
        first_response_minutes=60,
        resolution_minutes=240,
        next_response_minutes=120,
        escalation_policy=escalation_policy,
    )


@pytest.fixture
def critical_policy(db, escalation_policy):
    """P1 requests, tried first: first response 15 min, resolution 60 min."""
    return SLAPolicy.objects.create(
        name="Critical",
        order=10,
        priorities=[1],
        first_response_minutes=15,
        resolution_minutes=60,
        escalation_policy=escalation_policy,
    )
