"""Bouncing: flagged on a ping-pong between two departments and past the transfer limit, not on
a straight chain."""

import pytest

from apps.eventlog.models import Event, EventKind
from apps.handoffs.models import Handoff
from apps.handoffs.services import do_accept_handoff, do_request_handoff

pytestmark = pytest.mark.django_db


def _move(request, sender, receiver):
    handoff = do_request_handoff(
        request,
        actor=sender.agent_actor,
        kind="transfer",
        to_department=receiver.department,
        reason=f"For {receiver.department}",
    )
    return do_accept_handoff(handoff, actor=receiver.agent_actor)


def _bounces(request):
    return [
        e.payload
        for e in Event.objects.filter(request=request, kind=EventKind.HANDOFF)
        if e.payload["step"] == "bounced"
    ]


def test_ping_pong_is_flagged(org):
    request = org.request_in_progress()
    first = _move(request, org.it, org.finance)
    back = _move(request, org.finance, org.it)
    assert not first.bounced
    assert Handoff.objects.get(pk=back.pk).bounced
    [bounce] = _bounces(request)
    assert bounce == {
        "handoff": back.pk,
        "handoff_kind": "transfer",
        "step": "bounced",
        "from_department": org.finance.department.pk,
        "to_department": org.it.department.pk,
        "reason": "returned",
        "returned_to": org.it.department.pk,
        "transfers": 2,
    }
    assert list(Handoff.objects.filter(bounced=True)) == [back]


def test_a_straight_chain_is_not_flagged(org):
    request = org.request_in_progress()
    _move(request, org.it, org.finance)
    _move(request, org.finance, org.legal)
    assert not Handoff.objects.filter(bounced=True).exists()
    assert _bounces(request) == []


def test_more_transfers_than_the_limit_are_flagged(org, settings):
    settings.SERVICEDESK_HANDOFF_BOUNCE_LIMIT = 1
    request = org.request_in_progress()
    _move(request, org.it, org.finance)
    second = _move(request, org.finance, org.legal)
    assert Handoff.objects.get(pk=second.pk).bounced
    assert _bounces(request)[0]["reason"] == "too_many_transfers"
