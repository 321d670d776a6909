"""The survey invitation sent once a request is resolved."""

import pytest

from apps.lifecycle.states import State
from apps.notifications.models import Notification
from apps.quality.survey import INVITATION_KIND, do_invite_feedback
from apps.tickets import services
from apps.tickets.feedback import do_give_feedback
from tests.paths import Desk
from workflows import receivers


@pytest.fixture
def desk(customer):
    return Desk(customer)


def test_resolving_enqueues_the_invitation_after_commit(
    desk, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(receivers, "enqueue", lambda name, **kw: calls.append((name, kw)) or True)
    request = desk.request_in(State.IN_PROGRESS)
    calls.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.transition(request, "resolve", actor=desk.actor_for(request, "resolve"))
    assert not [c for c in calls if c[0] == "notifications.invite_feedback"]
    for callback in callbacks:
        callback()
    assert ("notifications.invite_feedback", {"request_id": request.pk}) in calls


def test_invitation_once_in_the_customer_language(desk, customer):
    customer.language = "zh-hans"
    customer.save()
    request = desk.request_in(State.RESOLVED)
    assert do_invite_feedback(request.pk) is True
    assert do_invite_feedback(request.pk) is False
    (note,) = Notification.objects.filter(kind=INVITATION_KIND, request=request)
    assert note.recipient == customer.user
    assert request.reference in note.title


def test_no_invitation_once_rated_or_before_resolution(desk, customer, customer_actor):
    open_request = desk.request_in(State.IN_PROGRESS)
    assert do_invite_feedback(open_request.pk) is False
    rated = desk.request_in(State.RESOLVED)
    do_give_feedback(rated, actor=customer_actor, rating=5, comment="great")
    assert do_invite_feedback(rated.pk) is False
    assert not Notification.objects.filter(kind=INVITATION_KIND).exists()
