"""Consults end to end: the owner keeps the request, the other department returns a result,
and the request cannot be resolved while a consult is open."""

import pytest
from django.core.management import call_command

from apps.core.errors import Forbidden, InvalidData, NotAllowed
from apps.handoffs.models import Handoff, HandoffState
from apps.handoffs.services import (
    do_accept_handoff,
    do_cancel_handoff,
    do_complete_handoff,
    do_request_handoff,
)
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from tests.handoffs.conftest import handoff_steps

pytestmark = pytest.mark.django_db


def _consult(org, request, team=None):
    return do_request_handoff(
        request,
        actor=org.it.agent_actor,
        kind="consult",
        to_department=(team or org.legal).department,
        reason="Is this complaint a liability?",
    )


def test_consult_blocks_resolve_until_completed_with_a_result(org):
    request = org.request_in_progress("Complaint about a refund")
    consult = _consult(org, request)
    consult = do_accept_handoff(consult, actor=org.legal.agent_actor)
    request = ServiceRequest.objects.get(pk=request.pk)
    assert (request.department, request.assignee) == (org.it.department, org.it.agent)

    with pytest.raises(NotAllowed) as refused:
        services.transition(request, "resolve", actor=org.it.agent_actor)
    assert consult.reference in refused.value.message and "Legal" in refused.value.message
    assert "resolve" not in refused.value.details["allowed"]
    assert ServiceRequest.objects.get(pk=request.pk).state == "in_progress"

    with pytest.raises(InvalidData):
        do_complete_handoff(consult, actor=org.legal.agent_actor, result=" ")
    with pytest.raises(Forbidden):
        do_complete_handoff(consult, actor=org.it.agent_actor, result="I answer myself")
    consult = do_complete_handoff(
        consult, actor=org.legal.agent_actor, result="No liability; offer a voucher."
    )
    assert consult.state == HandoffState.COMPLETED
    assert consult.result == "No liability; offer a voucher."
    request = services.transition(request, "resolve", actor=org.it.agent_actor)
    assert request.state == "resolved"
    assert handoff_steps(request) == ["requested", "accepted", "completed"]
    call_command("check_event_log")


def test_a_requested_consult_blocks_resolve_too_and_cancel_releases_it(org):
    request = org.request_in_progress()
    consult = _consult(org, request)
    with pytest.raises(NotAllowed, match=consult.reference):
        services.transition(request, "resolve", actor=org.it.agent_actor)
    do_cancel_handoff(consult, actor=org.it.agent_actor, reason="Customer withdrew")
    assert services.transition(request, "resolve", actor=org.it.agent_actor).state == "resolved"


def test_an_accepted_consult_may_be_withdrawn_by_the_owner(org):
    request = org.request_in_progress()
    consult = do_accept_handoff(_consult(org, request), actor=org.legal.lead_actor)
    consult = do_cancel_handoff(consult, actor=org.it.lead_actor, reason="No longer needed")
    assert consult.state == HandoffState.CANCELLED


def test_consults_to_two_departments_and_a_transfer_at_once(org):
    request = org.request_in_progress()
    _consult(org, request)
    _consult(org, request, org.finance)
    with pytest.raises(NotAllowed):
        _consult(org, request)  # one open consult per department
    transfer = do_request_handoff(
        request,
        actor=org.it.agent_actor,
        kind="transfer",
        to_department=org.finance.department,
        reason="Finance owns refunds",
    )
    do_accept_handoff(transfer, actor=org.finance.agent_actor)
    # The consults stay open; the new owner now holds them.
    assert Handoff.objects.filter(request=request, kind="consult", state="requested").count() == 2


def test_cancelling_the_request_withdraws_its_open_consults(org):
    request = org.request_in_progress()
    consult = do_accept_handoff(_consult(org, request), actor=org.legal.agent_actor)
    services.transition(request, "cancel", actor=org.customer_actor)
    consult = Handoff.objects.get(pk=consult.pk)
    assert (consult.state, consult.closing_reason) == ("cancelled", "request cancelled")
    call_command("check_event_log")


def test_a_transfer_is_not_completed(org):
    request = org.request_in_progress()
    transfer = do_request_handoff(
        request,
        actor=org.it.agent_actor,
        kind="transfer",
        to_department=org.legal.department,
        reason="Legal owns this",
    )
    transfer = do_accept_handoff(transfer, actor=org.legal.agent_actor)
    with pytest.raises(NotAllowed):
        do_complete_handoff(transfer, actor=org.legal.agent_actor, result="done")
