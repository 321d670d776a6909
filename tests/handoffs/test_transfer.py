"""Transfers end to end: request, accept (ownership moves), decline, cancel, expiry."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import translation

from apps.core.errors import Conflict, Forbidden, InvalidData, NotAllowed
from apps.eventlog.models import Event, EventKind
from apps.handoffs.models import Handoff, HandoffState
from apps.handoffs.notify import do_send_step_notifications
from apps.handoffs.services import (
    do_accept_handoff,
    do_cancel_handoff,
    do_decline_handoff,
    do_request_handoff,
)
from apps.handoffs.sweep import sweep_due_handoffs
from apps.notifications.models import Notification
from apps.sla.models import ClockState, SLAClock
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from tests.handoffs.conftest import handoff_steps
from workflows.assignment import assign_request

pytestmark = pytest.mark.django_db


def _transfer(org, request, to=None):
    return do_request_handoff(
        request,
        actor=org.it.agent_actor,
        kind="transfer",
        to_department=(to or org.finance).department,
        reason="Needs a purchase approval",
    )


def test_accepted_transfer_moves_ownership_and_keeps_the_sla_running(org, standard_policy):
    request = org.request_in_progress()
    handoff = _transfer(org, request)
    assert handoff.state == HandoffState.REQUESTED
    assert ServiceRequest.objects.get(pk=request.pk).department == org.it.department

    handoff = do_accept_handoff(handoff, actor=org.finance.agent_actor)

    request = ServiceRequest.objects.get(pk=request.pk)
    assert handoff.state == HandoffState.ACCEPTED
    assert handoff.accepted_by == org.finance.agent.user
    assert (request.state, request.department, request.assignee) == (
        "queued",
        org.finance.department,
        None,
    )
    transfer = Event.objects.get(request=request, transition="transfer")
    assert transfer.payload["explain"] == {
        "handoff": handoff.pk,
        "accepted_by": org.finance.agent.user.pk,
    }
    assert transfer.payload["department"] == {
        "from": org.it.department.pk,
        "to": org.finance.department.pk,
    }
    accepted = Event.objects.filter(request=request, kind=EventKind.HANDOFF).last()
    assert accepted.payload == {
        "handoff": handoff.pk,
        "handoff_kind": "transfer",
        "step": "accepted",
        "from_department": org.it.department.pk,
        "to_department": org.finance.department.pk,
    }
    assert accepted.seq > transfer.seq and accepted.actor == org.finance.agent.user
    resolution = SLAClock.objects.get(request=request, kind="resolution")
    assert resolution.state == ClockState.RUNNING  # the customer's clock never stopped
    # The routing worker then assigns it inside Finance.
    assign_request(request.pk)
    assert ServiceRequest.objects.get(pk=request.pk).assignee.departments.get() == (
        org.finance.department
    )
    call_command("check_event_log")


def test_requested_payload_and_duplicate_refused(org, finance_ola):
    request = org.request_in_progress()
    handoff = _transfer(org, request)
    requested = Event.objects.get(request=request, kind=EventKind.HANDOFF)
    assert requested.payload["step"] == "requested"
    assert requested.payload["handoff_kind"] == "transfer"
    assert requested.payload["reason"] == "Needs a purchase approval"
    assert requested.payload["due_at"] == handoff.ola_clocks.get().deadline.isoformat()
    with pytest.raises(NotAllowed, match=handoff.reference):
        _transfer(org, request, to=org.legal)


def test_only_the_owning_department_hands_over(org):
    request = org.request_in_progress()
    with pytest.raises(Forbidden):
        do_request_handoff(
            request,
            actor=org.finance.agent_actor,
            kind="transfer",
            to_department=org.legal.department,
            reason="not mine",
        )
    with pytest.raises(InvalidData):
        do_request_handoff(
            request,
            actor=org.it.agent_actor,
            kind="transfer",
            to_department=org.it.department,
            reason="to myself",
        )
    with pytest.raises(InvalidData):
        do_request_handoff(
            request,
            actor=org.it.agent_actor,
            kind="transfer",
            to_department=org.finance.department,
            reason="  ",
        )


def test_decline_needs_a_reason_and_leaves_the_request(org):
    request = org.request_in_progress()
    handoff = _transfer(org, request)
    with pytest.raises(InvalidData):
        do_decline_handoff(handoff, actor=org.finance.lead_actor, reason="")
    handoff = do_decline_handoff(handoff, actor=org.finance.lead_actor, reason="Not ours")
    assert handoff.state == HandoffState.DECLINED and handoff.closing_reason == "Not ours"
    request = ServiceRequest.objects.get(pk=request.pk)
    assert (request.state, request.department) == ("in_progress", org.it.department)
    assert handoff_steps(request) == ["requested", "declined"]
    # Declined is final; a new handoff may be asked for.
    with pytest.raises(NotAllowed):
        do_accept_handoff(handoff, actor=org.finance.lead_actor)
    _transfer(org, request, to=org.legal)
    call_command("check_event_log")


def test_sender_cancels_a_pending_transfer_target_may_not(org):
    request = org.request_in_progress()
    handoff = _transfer(org, request)
    with pytest.raises(Forbidden):
        do_cancel_handoff(handoff, actor=org.finance.agent_actor, reason="no")
    handoff = do_cancel_handoff(handoff, actor=org.it.lead_actor, reason="Solved it ourselves")
    assert handoff.state == HandoffState.CANCELLED
    assert handoff_steps(request) == ["requested", "cancelled"]


def test_accepted_transfer_cannot_be_cancelled(org):
    request = org.request_in_progress()
    handoff = do_accept_handoff(_transfer(org, request), actor=org.finance.agent_actor)
    with pytest.raises(NotAllowed):
        do_cancel_handoff(handoff, actor=org.finance.lead_actor, reason="oops")


def test_unaccepted_handoff_expires_and_returns_to_the_sender(org, finance_ola, clock):
    request = org.request_in_progress()
    handoff = _transfer(org, request)
    assert handoff.expires_at == clock.now + timedelta(minutes=240)
    clock.advance(minutes=239)
    sweep_due_handoffs()
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.REQUESTED
    clock.advance(minutes=2)
    sweep_due_handoffs()
    assert sweep_due_handoffs() == 0
    handoff = Handoff.objects.get(pk=handoff.pk)
    assert handoff.state == HandoffState.EXPIRED
    request = ServiceRequest.objects.get(pk=request.pk)
    assert (request.state, request.department) == ("in_progress", org.it.department)
    assert handoff_steps(request) == ["requested", "ola_warning", "ola_breach", "expired"]
    call_command("check_event_log")


def test_pending_transfer_is_withdrawn_when_the_request_is_resolved(org):
    request = org.request_in_progress()
    handoff = _transfer(org, request)
    services.transition(request, "resolve", actor=org.it.agent_actor)
    assert Handoff.objects.get(pk=handoff.pk).state == HandoffState.CANCELLED
    assert handoff_steps(request) == ["requested", "cancelled"]
    call_command("check_event_log")


def test_request_cancelled_meanwhile_withdraws_the_handoff(org):
    request = org.request_in_progress()
    handoff = _transfer(org, request)
    services.transition(request, "cancel", actor=org.customer_actor)
    with pytest.raises(Conflict, match="cancelled"):  # the page showed it pending
        do_accept_handoff(handoff, actor=org.finance.agent_actor)
    with pytest.raises(NotAllowed):
        do_accept_handoff(Handoff.objects.get(pk=handoff.pk), actor=org.finance.agent_actor)
    assert ServiceRequest.objects.get(pk=request.pk).department == org.it.department


def test_the_worker_hears_of_a_step_only_after_commit(org, django_capture_on_commit_callbacks):
    from apps.handoffs.signals import handoff_changed

    heard = []

    def listen(sender, **kwargs):
        heard.append((kwargs["step"], kwargs["handoff_id"]))

    handoff_changed.connect(listen)
    try:
        request = org.request_in_progress()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            handoff = _transfer(org, request)
        assert heard == []
        for callback in callbacks:
            callback()
        assert ("requested", handoff.pk) in heard
    finally:
        handoff_changed.disconnect(listen)


def test_a_step_notification_reads_in_each_recipients_language(org):
    """The target department's agents hear of a requested transfer, each in their language."""
    org.finance.agent.language = "zh-hans"
    org.finance.agent.save(update_fields=["language"])
    handoff = _transfer(org, org.request_in_progress())

    with translation.override("en"):
        assert do_send_step_notifications(handoff.pk, "requested")

    title = Notification.objects.get(recipient=org.finance.agent.user, kind="handoff").title
    assert title == f"{handoff.request.reference} 的 {handoff.reference}（转交）：申请"  # noqa: RUF001  Chinese punctuation, as the translation has it


def test_whoever_takes_a_step_is_not_told_of_it(org):
    """An agent of both departments who requests a transfer is not among those told of it."""
    org.it.agent.departments.add(org.finance.department)
    handoff = _transfer(org, org.request_in_progress())

    assert do_send_step_notifications(handoff.pk, "requested")

    told = set(Notification.objects.filter(kind="handoff").values_list("recipient", flat=True))
    assert org.it.agent.user.pk not in told
    assert {org.finance.agent.user.pk, org.finance.lead.user.pk} <= told
