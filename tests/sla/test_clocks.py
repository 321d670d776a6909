"""SLA clock semantics through the door: start, pause and resume, reopen, re-match, responses."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from apps.accounts.actors import BOT, SYSTEM, actor_for_user
from apps.eventlog.models import Event
from apps.sla.models import ClockState, SLAClock
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.transition_data import ReprioritizeData, RouteData, transition_data
from tests.paths import Desk
from tests.sla_fixtures import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(customer, standard_policy, clock):
    return Desk(customer)


def _clocks(request) -> dict[str, SLAClock]:
    return {c.kind: c for c in SLAClock.objects.filter(request=request)}


def _actions(request) -> list[tuple]:
    return [
        (e.payload["clock"], e.payload["action"])
        for e in Event.objects.filter(request=request, kind="sla_clock").order_by("seq")
    ]


def _working(desk):
    """A request submitted at T0 and in progress with the lead at T0 (no time passes)."""
    return desk.request_in("in_progress")


def test_submit_starts_first_response_and_resolution(desk):
    request = desk.request_in("new")
    clocks = _clocks(request)
    assert set(clocks) == {"first_response", "resolution"}
    assert clocks["first_response"].deadline == T0 + timedelta(minutes=60)
    assert clocks["resolution"].deadline == T0 + timedelta(minutes=240)
    assert _actions(request) == [("first_response", "start"), ("resolution", "start")]
    call_command("check_event_log")


def test_resolution_pauses_while_waiting_on_the_customer(desk, clock, customer_actor):
    request = _working(desk)
    clock.advance(minutes=30)
    request = services.transition(request, "request_info", actor=actor_for_user(desk.lead.user))
    paused = _clocks(request)["resolution"]
    assert (paused.state, round(paused.elapsed_seconds), paused.deadline) == (
        ClockState.PAUSED,
        30 * 60,
        None,
    )
    clock.advance(hours=5)  # five hours waiting on the customer cost nothing
    services.do_post_message(request, actor=customer_actor, body="Serial is 1234")
    resumed = _clocks(request)["resolution"]
    assert resumed.state == ClockState.RUNNING
    assert resumed.deadline == clock.now + timedelta(minutes=210)
    assert ("resolution", "pause") in _actions(request)
    assert ("resolution", "resume") in _actions(request)


def test_first_response_is_met_by_a_human_reply_not_by_the_bot(desk, clock):
    request = desk.request_in("new")
    clock.advance(minutes=10)
    services.do_post_message(request, actor=BOT, body="Have you tried restarting?")
    assert _clocks(request)["first_response"].state == ClockState.RUNNING
    for name, data in desk.steps_to("in_progress"):
        request = services.transition(
            request, name, actor=desk.actor_for(request, name), data=transition_data(name, data)
        )
    clock.advance(minutes=10)
    services.do_post_message(request, actor=actor_for_user(desk.lead.user), body="On it")
    first = _clocks(request)["first_response"]
    assert (first.state, round(first.elapsed_seconds)) == (ClockState.STOPPED, 20 * 60)
    assert ServiceRequest.objects.get(pk=request.pk).first_response_at == clock.now
    assert first.breached_at is None


def test_reopen_resumes_resolution_with_the_time_left(desk, clock, customer_actor):
    request = _working(desk)
    clock.advance(minutes=60)
    request = services.transition(request, "resolve", actor=actor_for_user(desk.lead.user))
    assert _clocks(request)["resolution"].state == ClockState.STOPPED
    clock.advance(days=3)  # long after the original deadline
    request = services.transition(request, "reopen", actor=customer_actor)
    resolution = _clocks(request)["resolution"]
    assert resolution.state == ClockState.RUNNING
    assert round(resolution.elapsed_seconds) == 60 * 60
    assert resolution.deadline == clock.now + timedelta(minutes=180)
    assert resolution.breached_at is None
    from workflows.sla_sweep import sweep_due_clocks

    assert sweep_due_clocks() == 0  # no instant breach after a reopen


def test_a_priority_change_rematches_keeping_elapsed_time(desk, clock, critical_policy):
    request = _working(desk)
    clock.advance(minutes=30)
    request = services.transition(
        request, "reprioritize", actor=SYSTEM, data=ReprioritizeData(priority=1)
    )
    resolution = _clocks(request)["resolution"]
    assert resolution.policy == critical_policy
    assert resolution.target_seconds == 60 * 60
    assert resolution.deadline == clock.now + timedelta(minutes=30)
    assert ("resolution", "rematch") in _actions(request)
    call_command("check_event_log")


def test_resolve_and_cancel_stop_every_clock(desk, clock, customer_actor):
    request = desk.request_in("new")
    clock.advance(minutes=5)
    services.transition(request, "cancel", actor=customer_actor)
    assert {c.state for c in _clocks(request).values()} == {ClockState.STOPPED}


def test_next_response_runs_from_a_customer_reply_to_the_next_agent_reply(
    desk, clock, customer_actor
):
    request = _working(desk)
    lead = actor_for_user(desk.lead.user)
    services.do_post_message(request, actor=lead, body="Hello")
    clock.advance(minutes=10)
    services.do_post_message(request, actor=customer_actor, body="It is still broken")
    nxt = _clocks(request)["next_response"]
    assert (nxt.state, nxt.deadline) == (ClockState.RUNNING, clock.now + timedelta(minutes=120))
    clock.advance(minutes=45)
    services.do_post_message(request, actor=lead, body="Trying something else")
    assert _clocks(request)["next_response"].state == ClockState.STOPPED


def test_overdue_at_stop_is_recorded_as_a_breach(desk, clock):
    request = _working(desk)
    clock.advance(minutes=300)  # past the 240-minute resolution target; no sweep ran
    request = services.transition(request, "resolve", actor=actor_for_user(desk.lead.user))
    resolution = _clocks(request)["resolution"]
    assert resolution.breached_at is not None
    kinds = list(Event.objects.filter(request=request).values_list("kind", flat=True))
    assert "sla_breach" in kinds
    call_command("check_event_log")


def test_transition_rows_carry_business_seconds(desk, clock):
    request = desk.request_in("new")
    clock.advance(minutes=7)
    request = services.transition(
        request, "route", actor=SYSTEM, data=RouteData(department=desk.department)
    )
    row = Event.objects.get(request=request, transition="route")
    assert (row.wall_seconds, row.business_seconds) == (420.0, 420.0)  # 24x7: equal


def test_requests_without_a_matching_policy_have_no_clocks(customer, clock):
    request = Desk(customer).request_in("queued")
    assert not SLAClock.objects.filter(request=request).exists()
