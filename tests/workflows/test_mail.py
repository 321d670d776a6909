"""The mail intake's work on the workers: what a mail taken in sets in motion, the beat
schedule's poll, and the poll task."""

import pytest
from django.conf import settings
from django.test import override_settings

from apps.mail.intake import take_in
from apps.mail.models import Mailbox
from servicedesk.celery import app
from tests.mail.mails import mail
from workflows import receivers, tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    tasks: list[tuple[str, dict]] = []
    monkeypatch.setattr(
        receivers, "enqueue", lambda name, **kwargs: tasks.append((name, kwargs)) or True
    )
    return tasks


@override_settings(SERVICEDESK_MAIL_UNKNOWN_SENDERS="reject")
def test_a_rejected_sender_gets_an_auto_reply_task(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inbound = take_in(mail(sender="stranger@example.org"))

    assert sent == [("notifications.send_mail_auto_reply", {"inbound_id": inbound.pk})]


def test_a_request_the_mailbox_routed_is_assigned(
    sent, customer, department, django_capture_on_commit_callbacks
):
    mailbox = Mailbox.objects.create(name="IT", department=department, host="-", username="-")

    with django_capture_on_commit_callbacks(execute=True):
        inbound = take_in(mail(), mailbox=mailbox)

    assert ("routing.assign_request", {"request_id": inbound.request_id}) in sent


def test_beat_polls_the_mailboxes_on_a_queue_the_workers_consume():
    entry = settings.CELERY_BEAT_SCHEDULE["poll-mailboxes"]

    assert entry["task"] == "default.poll_mailboxes"
    assert entry["schedule"] == settings.SERVICEDESK_MAIL_POLL_SECONDS
    assert "default" in settings.WORK_QUEUES
    assert tasks.poll_mailboxes.name == "default.poll_mailboxes"
    assert app.amqp.router.route({}, "default.poll_mailboxes")["queue"].name == "default"


def test_the_beat_task_sends_one_poll_per_active_mailbox(monkeypatch):
    from workflows import mail as mail_work

    polls: list[dict] = []
    monkeypatch.setattr(mail_work, "enqueue", lambda name, **kw: polls.append({name: kw}) or True)
    active = Mailbox.objects.create(name="a", host="-", username="-")
    Mailbox.objects.create(name="b", host="-", username="-", active=False)

    assert mail_work.poll_mailboxes() == 1
    assert polls == [{"default.poll_mailbox": {"mailbox_id": active.pk}}]
    assert mail_work.poll_mailbox(active.pk + 100) == {}
