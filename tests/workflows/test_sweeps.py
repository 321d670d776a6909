"""The recovery sweep re-dispatches stranded requests; the auto-close sweep closes old ones."""

import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.actors import SYSTEM
from apps.eventlog.models import Event
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.transition_data import TransferData
from servicedesk.celery import app
from tests.paths import Desk
from workflows import sweeps

pytestmark = pytest.mark.django_db


def _queued_messages(queue: str) -> int:
    with app.connection_for_write() as conn:
        # Declared as Celery declares it, so the count is right before the first publish too.
        return app.amqp.queues[queue](conn.default_channel).queue_declare().message_count


def test_stranded_requests_are_dispatched_again(customer, settings):
    desk = Desk(customer)
    stuck = desk.request_in("new")  # its routing task was lost
    unassigned = desk.request_in("queued")  # its assignment task was lost
    desk.request_in("assigned")  # nothing to do
    manual = desk.request_in("queued")
    manual.department.__class__.objects.filter(pk=desk.other_department.pk).update(
        assignment_strategy="manual"
    )
    services.transition(
        manual, "transfer", actor=SYSTEM, data=TransferData(department=desk.other_department)
    )
    before = _queued_messages("routing")
    settings.SERVICEDESK_STUCK_NEW_SECONDS = 3600
    assert sweeps.redispatch_stuck_requests() == 0  # not waiting long enough yet
    settings.SERVICEDESK_STUCK_NEW_SECONDS = 0
    assert sweeps.redispatch_stuck_requests() == 2  # route `stuck`, assign `unassigned`
    assert _queued_messages("routing") == before + 2
    assert ServiceRequest.objects.get(pk=stuck.pk).state == "new"
    assert ServiceRequest.objects.get(pk=unassigned.pk).assignee_id is None


def test_resolved_requests_close_after_the_period(customer, settings):
    desk = Desk(customer)
    resolved = desk.request_in("resolved")
    settings.SERVICEDESK_AUTO_CLOSE_DAYS = 7
    assert sweeps.auto_close_resolved() == 0
    settings.SERVICEDESK_AUTO_CLOSE_DAYS = 0
    assert sweeps.auto_close_resolved() == 1
    closed = ServiceRequest.objects.get(pk=resolved.pk)
    assert closed.state == "closed"
    last = Event.objects.filter(request=resolved).order_by("seq").last()
    assert (last.transition, last.actor_role) == ("auto_close", "system")
    assert sweeps.auto_close_resolved() == 0  # idempotent


def test_the_sweep_sends_one_message_per_batch_and_department_and_not_again(customer, settings):
    desk = Desk(customer)
    for _ in range(3):
        desk.request_in("new")
    for _ in range(4):  # waiting for an agent's capacity, or their task was lost
        desk.request_in("queued")
    settings.SERVICEDESK_STUCK_NEW_SECONDS = 0
    before = _queued_messages("routing")
    # One routing message for the three, one assign_waiting for the department.
    assert sweeps.redispatch_stuck_requests() == 2
    assert _queued_messages("routing") == before + 2
    # The next sweep, a few seconds later, sends nothing again.
    assert sweeps.redispatch_stuck_requests() == 0
    settings.SERVICEDESK_RECOVERY_RESEND_SECONDS = 0
    cache.clear()  # the window passed
    assert sweeps.redispatch_stuck_requests() == 2


def test_a_request_that_became_stuck_later_is_sent_without_waiting_for_the_others(
    customer, settings
):
    desk = Desk(customer)
    desk.request_in("new")
    settings.SERVICEDESK_STUCK_NEW_SECONDS = 0
    assert sweeps.redispatch_stuck_requests() == 1
    desk.request_in("new")
    assert sweeps.redispatch_stuck_requests() == 1  # only the new one


def test_only_what_is_stuck_is_sent_not_every_waiting_request(customer, settings, monkeypatch):
    """Issue 20: a request in `new` or waiting for an agent only moments is left alone (its own
    task is on the way); one waiting longer than the threshold is sent, alone."""
    desk = Desk(customer)
    stuck, fresh = desk.request_in("new"), desk.request_in("new")
    desk.request_in("queued")  # waiting for an agent, not long
    long_ago = timezone.now() - timedelta(seconds=60)
    ServiceRequest.objects.filter(pk=stuck.pk).update(state_changed_at=long_ago)
    settings.SERVICEDESK_STUCK_NEW_SECONDS = 10
    sent = _record_sends(monkeypatch)
    assert sweeps.redispatch_stuck_requests() == 1
    assert sent == [("routing.route_request", {"request_ids": [stuck.pk]})]
    assert ServiceRequest.objects.get(pk=fresh.pk).state == "new"


@pytest.mark.django_db(transaction=True)
def test_a_request_being_routed_now_is_not_sent_again(customer, settings, monkeypatch):
    """One locked by a transaction (a routing batch at work) is left to it, without waiting."""
    desk = Desk(customer)
    busy, stuck = desk.request_in("new"), desk.request_in("new")
    settings.SERVICEDESK_STUCK_NEW_SECONDS = 0
    locked, release = threading.Event(), threading.Event()

    def route_slowly():
        with transaction.atomic():
            ServiceRequest.objects.select_for_update().get(pk=busy.pk)
            locked.set()
            release.wait(10)
        connection.close()

    worker = threading.Thread(target=route_slowly)
    worker.start()
    try:
        assert locked.wait(10)
        sent = _record_sends(monkeypatch)
        assert sweeps.redispatch_stuck_requests() == 1
        assert sent == [("routing.route_request", {"request_ids": [stuck.pk]})]
    finally:
        release.set()
        worker.join(10)


def _record_sends(monkeypatch) -> list[tuple[str, dict]]:
    """What the sweep sends, kept instead of published (the messages' content is the point)."""
    sent = []

    def enqueue(task_name, **kwargs):
        sent.append((task_name, kwargs))
        return True

    monkeypatch.setattr(sweeps, "enqueue", enqueue)
    return sent
