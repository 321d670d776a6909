"""OLA clocks: warning and breach with a short target, recorded once and escalated to the
target department's lead; business time on the target's calendar."""

import datetime as dt
from datetime import timedelta

import pytest
from django.core.management import call_command

from apps.eventlog.models import Event, EventKind
from apps.handoffs.models import OLAClock, OLAPolicy
from apps.handoffs.ola import match_policy
from apps.handoffs.services import do_accept_handoff, do_complete_handoff, do_request_handoff
from apps.handoffs.sweep import sweep_due_handoffs
from apps.notifications.models import Notification
from apps.sla.models import BusinessCalendar, WorkingHours
from tests.handoffs.conftest import handoff_steps

pytestmark = pytest.mark.django_db


def _ask(org, kind="consult", team=None):
    request = org.request_in_progress()
    return request, do_request_handoff(
        request,
        actor=org.it.agent_actor,
        kind=kind,
        to_department=(team or org.finance).department,
        reason="Approve the purchase",
    )


def test_acceptance_warning_then_breach_each_once_escalated_to_the_lead(org, finance_ola, clock):
    request, handoff = _ask(org)
    clock.advance(minutes=44)
    assert sweep_due_handoffs() == 0  # 73% of 60 minutes
    clock.advance(minutes=2)
    assert sweep_due_handoffs() == 1
    assert sweep_due_handoffs() == 0
    warning = Event.objects.filter(request=request, kind=EventKind.HANDOFF).last()
    assert warning.payload["step"] == "ola_warning"
    assert warning.payload["target"] == "acceptance"
    assert (
        warning.payload["due_at"]
        == (clock.now - timedelta(minutes=46) + timedelta(hours=1)).isoformat()
    )
    lead = org.finance.lead.user
    assert Notification.objects.filter(recipient=lead, kind="ola_warning").count() == 1
    clock.advance(minutes=15)
    assert sweep_due_handoffs() == 1
    assert sweep_due_handoffs() == 0
    assert Notification.objects.filter(recipient=lead, kind="ola_breach").count() == 1
    acceptance = OLAClock.objects.get(handoff=handoff)
    assert acceptance.breached_at is not None and acceptance.next_check_at is None
    assert handoff_steps(request) == ["requested", "ola_warning", "ola_breach"]
    call_command("check_event_log")


def test_completion_clock_runs_from_acceptance_and_stops_at_completion(org, finance_ola, clock):
    request, handoff = _ask(org)
    clock.advance(minutes=10)
    handoff = do_accept_handoff(handoff, actor=org.finance.agent_actor)
    acceptance, completion = OLAClock.objects.filter(handoff=handoff).order_by("started_at")
    assert acceptance.met is True
    assert completion.deadline == clock.now + timedelta(minutes=120)
    clock.advance(minutes=100)
    assert sweep_due_handoffs() == 1  # 83%: the completion warning
    # The acceptor is told too.
    assert Notification.objects.filter(
        recipient=org.finance.agent.user, kind="ola_warning"
    ).exists()
    clock.advance(minutes=30)
    do_complete_handoff(handoff, actor=org.finance.agent_actor, result="Approved")
    # Completed late, before the sweep saw it: the breach is recorded at the stop.
    assert handoff_steps(request) == [
        "requested",
        "accepted",
        "ola_warning",
        "ola_breach",
        "completed",
    ]
    breach = Event.objects.filter(request=request, payload__step="ola_breach").get()
    assert breach.payload["found"] == "at stop"
    assert sweep_due_handoffs() == 0


def test_accepted_in_time_records_nothing(org, finance_ola, clock):
    _request, handoff = _ask(org)
    clock.advance(minutes=20)
    do_accept_handoff(handoff, actor=org.finance.agent_actor)
    clock.advance(minutes=100)  # acceptance target long passed, but it stopped in time
    assert sweep_due_handoffs() == 1  # only the completion warning


def test_business_time_on_the_target_departments_calendar(org, clock):
    calendar = BusinessCalendar.objects.create(name="Finance office", time_zone="UTC")
    for weekday in range(5):
        WorkingHours.objects.create(
            calendar=calendar, weekday=weekday, start=dt.time(9), end=dt.time(17)
        )
    org.finance.department.calendar = calendar
    org.finance.department.save()
    OLAPolicy.objects.create(
        name="IT to Finance",
        from_department=org.it.department,
        to_department=org.finance.department,
        acceptance_minutes=60,
    )
    clock.advance(days=4, hours=7, minutes=30)  # Friday 16:30 UTC
    _request, handoff = _ask(org)
    acceptance = OLAClock.objects.get(handoff=handoff)
    # 30 minutes on Friday, 30 on Monday morning.
    assert acceptance.deadline == dt.datetime(2026, 3, 9, 9, 30, tzinfo=dt.UTC)
    assert acceptance.warn_at == dt.datetime(2026, 3, 9, 9, 15, tzinfo=dt.UTC)


def test_the_pairs_policy_wins_over_the_targets(org):
    general = OLAPolicy.objects.create(
        name="Any to Finance", to_department=org.finance.department, acceptance_minutes=60
    )
    assert match_policy(org.legal.department.pk, org.finance.department.pk) == general
    pair = OLAPolicy.objects.create(
        name="IT to Finance",
        from_department=org.it.department,
        to_department=org.finance.department,
        acceptance_minutes=15,
    )
    assert match_policy(org.it.department.pk, org.finance.department.pk) == pair
    pair.active = False
    pair.save()
    assert match_policy(org.it.department.pk, org.finance.department.pk) == general


def test_without_a_policy_no_clock_but_the_default_expiry(org, clock, settings):
    settings.SERVICEDESK_HANDOFF_EXPIRY_MINUTES = 30
    _request, handoff = _ask(org, team=org.legal)
    assert not handoff.ola_clocks.exists()
    assert handoff.expires_at == clock.now + timedelta(minutes=30)
