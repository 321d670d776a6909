"""Notifications: rows in the caller's transaction, e-mail only after commit (webhooks:
test_webhooks.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.services import do_notify
from tests.factories import UserFactory, submit
from workflows import notifications as delivery
from workflows import receivers

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    """What the receivers send to the broker, recorded instead of sent: the worker tests cover
    the broker; here the plain functions run in the test process."""
    sent = []

    def record(name, **kwargs):
        sent.append((name, kwargs))
        return True

    monkeypatch.setattr(receivers, "enqueue", record)
    monkeypatch.setattr(delivery, "enqueue", record)
    return sent


def notify(recipients, **fields):
    fields = {"kind": "sla_breach", "title": "SR breached", "body": "Resolve it now.", **fields}
    return do_notify(recipients=recipients, **fields)


class TestNotify:
    def test_rows_only_for_active_users_and_once_per_user(self):
        alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
        gone = UserFactory(username="gone", is_active=False)

        created = notify([alice, gone, bob, alice])

        assert sorted(n.recipient.username for n in created) == ["alice", "bob"]
        assert Notification.objects.count() == 2
        assert not Notification.objects.filter(recipient=gone).exists()

    def test_the_request_is_linked(self, customer):
        request = submit(customer)

        (notification,) = notify([UserFactory()], request=request, kind="escalation")

        assert (notification.request, notification.kind) == (request, "escalation")

    def test_nothing_is_emailed_or_enqueued_before_commit(
        self, enqueued, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notify([UserFactory()])

        assert len(callbacks) == 1
        assert (enqueued, mail.outbox) == ([], [])

    def test_a_rolled_back_notify_sends_nothing(self, enqueued, django_capture_on_commit_callbacks):
        user = UserFactory()
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            notify([user])
            raise RuntimeError("the caller's transaction fails")

        assert callbacks == []
        assert not Notification.objects.exists()
        assert (enqueued, mail.outbox) == ([], [])

    def test_after_commit_the_email_goes_out_once(
        self, enqueued, customer, django_capture_on_commit_callbacks
    ):
        request = submit(customer)
        user = UserFactory(username="lead", email="lead@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            (notification,) = notify([user], request=request, title="SLA breached:\nreally")

        assert enqueued == [("notifications.send_email", {"notification_id": notification.pk})]
        assert delivery.send_notification_email(notification.pk) == "sent"
        (email,) = mail.outbox
        assert email.to == ["lead@example.com"]
        assert email.subject == f"[{request.reference}] SLA breached: really"
        assert "Resolve it now." in email.body
        assert request.reference in email.body
        notification.refresh_from_db()
        assert notification.emailed_at is not None
        # A redelivered task finds it sent and sends nothing again.
        assert delivery.send_notification_email(notification.pk) == "already sent"
        assert len(mail.outbox) == 1

    def test_mails_about_a_request_thread_and_are_marked_automatic(self, customer):
        request = submit(customer)
        user = UserFactory(email="lead@example.com", username="lead")
        first, second, third = (
            notify([user], request=request, title=f"{request.reference} breached")[0]
            for _ in range(3)
        )
        for notification in (first, second, third):
            delivery.send_notification_email(notification.pk)

        mails = mail.outbox
        ids = [Notification.objects.get(pk=n.pk).message_id for n in (first, second, third)]
        assert [m.extra_headers["Message-ID"] for m in mails] == [f"<{i}>" for i in ids]
        assert len(set(ids)) == 3
        assert mails[0].subject == f"[{request.reference}] breached"
        assert "In-Reply-To" not in mails[0].extra_headers
        assert mails[2].extra_headers["In-Reply-To"] == f"<{ids[1]}>"
        assert mails[2].extra_headers["References"] == f"<{ids[0]}> <{ids[1]}>"
        assert mails[0].extra_headers["Auto-Submitted"] == "auto-generated"

    def test_no_email_without_an_address_or_when_not_asked(
        self, enqueued, django_capture_on_commit_callbacks
    ):
        without = UserFactory(email="")
        with django_capture_on_commit_callbacks(execute=True):
            notify([without])
            declined = UserFactory()
            NotificationPreference.objects.create(user=declined, kind="sla_breach", email=False)
            notify([declined])
            # Early warnings are in-app only unless the person asks for e-mail.
            notify([UserFactory()], kind="breach_risk")

        assert Notification.objects.count() == 3
        assert enqueued == []

    def test_the_person_who_caused_it_is_not_told(self):
        actor, other = UserFactory(username="actor"), UserFactory(username="other")

        created = notify([actor, other], caused_by=actor)

        assert [n.recipient.username for n in created] == ["other"]

    def test_a_key_notifies_each_recipient_once(self):
        alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
        notify([alice], key="event:1:2")

        again = notify([alice, bob], key="event:1:2")
        other_event = notify([alice], key="event:1:3")

        assert [n.recipient.username for n in again] == ["bob"]
        assert len(other_event) == 1
        assert Notification.objects.filter(recipient=alice).count() == 2

    def test_an_address_removed_before_sending_sends_nothing(self):
        user = UserFactory()
        (notification,) = notify([user])
        user.email = ""
        user.save(update_fields=["email"])

        assert delivery.send_notification_email(notification.pk) == "no address"
        assert mail.outbox == []


def test_the_sweep_sends_again_only_work_whose_task_never_ran(enqueued):
    lost_email, sent_email = notify([UserFactory(), UserFactory()])
    Notification.objects.filter(pk=sent_email.pk).update(emailed_at=timezone.now())
    long_ago = timezone.now() - timedelta(minutes=30)
    Notification.objects.update(created_at=long_ago)
    enqueued.clear()

    assert delivery.redispatch_unsent_notifications() == 1

    assert enqueued == [("notifications.send_email", {"notification_id": lost_email.pk})]
