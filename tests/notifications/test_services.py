"""Notifications and webhooks: rows in the caller's transaction, work only after commit, signed
deliveries to a real local HTTP receiver."""

import json
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.notifications.models import (
    DeliveryStatus,
    Notification,
    NotificationPreference,
    WebhookDelivery,
    WebhookSubscription,
)
from apps.notifications.services import do_notify, do_publish_event, do_redeliver_webhooks
from apps.notifications.signing import encode_body, sign, verify_signature
from tests.factories import UserFactory, submit
from tests.webhook_receiver import run_receiver
from workflows import notifications as delivery
from workflows import receivers, tasks

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


def subscription(url="http://127.0.0.1:9/hook", **fields):
    return WebhookSubscription.objects.create(name=fields.pop("name", "ops"), url=url, **fields)


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


class TestPublishEvent:
    def test_one_pending_delivery_per_active_subscription_wanting_the_kind(
        self, enqueued, django_capture_on_commit_callbacks
    ):
        breaches = subscription(name="breaches", event_kinds=["sla_breach"])
        everything = subscription(name="everything")
        subscription(name="escalations", event_kinds=["escalation"])
        subscription(name="off", active=False)

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            created = do_publish_event(kind="sla_breach", payload={"request": "SR-000001"})
        assert enqueued == []
        for callback in callbacks:
            callback()

        assert {d.subscription for d in created} == {breaches, everything}
        assert {d.status for d in created} == {DeliveryStatus.PENDING}
        assert sorted(kw["delivery_id"] for _, kw in enqueued) == sorted(d.pk for d in created)
        assert {name for name, _ in enqueued} == {"notifications.deliver_webhook"}

    def test_no_subscription_no_delivery(self, enqueued):
        assert do_publish_event(kind="sla_breach", payload={}) == []
        assert not WebhookDelivery.objects.exists()

    @pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "not a url"])
    def test_only_http_urls_are_valid(self, url):
        with pytest.raises(ValidationError) as raised:
            WebhookSubscription(name="x", url=url).full_clean()
        assert "url" in raised.value.message_dict

    def test_event_kinds_must_be_a_list_of_names(self):
        with pytest.raises(ValidationError):
            WebhookSubscription(name="x", url="https://e.example/h", event_kinds="sla").full_clean()
        WebhookSubscription(name="x", url="https://e.example/h", event_kinds=["sla"]).full_clean()

    def test_every_subscription_gets_its_own_secret(self):
        assert subscription().secret != subscription().secret


def publish_to(receiver, kind="sla_breach", payload=None):
    sub = subscription(url=receiver.url)
    receiver.secret = sub.secret
    (created,) = do_publish_event(kind=kind, payload=payload or {"request": "SR-000042"})
    return created


class TestDeliverWebhook:
    def test_a_2xx_answer_delivers_it_signed(self):
        with run_receiver(200) as receiver:
            created = publish_to(receiver, payload={"request": "SR-000042", "level": 2})

            assert delivery.deliver_webhook(created.pk) == "delivered"
            assert delivery.deliver_webhook(created.pk) == "already delivered"

        (received,) = receiver.received
        assert received.verified
        headers = received.headers
        assert headers["content-type"] == "application/json"
        assert headers["x-servicedesk-event"] == "sla_breach"
        assert headers["x-servicedesk-delivery"] == str(created.pk)
        assert abs(int(headers["x-servicedesk-timestamp"]) - time.time()) < 60
        assert received.body == encode_body(created.envelope())
        assert json.loads(received.body)["data"] == {"request": "SR-000042", "level": 2}
        created.refresh_from_db()
        assert (created.status, created.attempts, created.last_status_code) == (
            DeliveryStatus.DELIVERED,
            1,
            200,
        )
        assert created.delivered_at is not None

    def test_a_5xx_answer_is_recorded_and_raised_for_a_retry(self):
        with run_receiver(500) as receiver:
            created = publish_to(receiver)

            with pytest.raises(delivery.WebhookDeliveryError, match="HTTP 500"):
                delivery.deliver_webhook(created.pk)

        created.refresh_from_db()
        assert (created.status, created.attempts, created.last_status_code) == (
            DeliveryStatus.PENDING,
            1,
            500,
        )
        assert "receiver says no" in created.last_error
        assert receiver.received[0].verified

    def test_the_last_attempt_marks_it_failed(self):
        with run_receiver(503) as receiver:
            created = publish_to(receiver)

            assert delivery.deliver_webhook(created.pk, last_attempt=True) == "failed"

        created.refresh_from_db()
        assert (created.status, created.attempts) == (DeliveryStatus.FAILED, 1)

    def test_a_refused_connection_is_recorded_and_raised(self):
        with run_receiver(200) as receiver:
            url = receiver.url  # nothing listens there once the receiver has stopped
        created = publish_to(receiver)
        WebhookSubscription.objects.update(url=url)

        with pytest.raises(delivery.WebhookDeliveryError):
            delivery.deliver_webhook(created.pk)

        created.refresh_from_db()
        assert (created.attempts, created.last_status_code) == (1, None)
        assert "refused" in created.last_error.lower()

    def test_the_task_retries_until_it_gives_up(self, settings):
        settings.SERVICEDESK_WEBHOOK_MAX_RETRIES = 2
        with run_receiver(500) as receiver:
            created = publish_to(receiver)
            # Eager: the retries run at once, one after the other, in this process.
            tasks.deliver_webhook.apply(kwargs={"delivery_id": created.pk})

        created.refresh_from_db()
        assert (created.status, created.attempts) == (DeliveryStatus.FAILED, 3)
        assert len(receiver.received) == 3

    def test_a_failed_delivery_can_be_sent_again(self, enqueued):
        with run_receiver(500, 200) as receiver:
            created = publish_to(receiver)
            delivery.deliver_webhook(created.pk, last_attempt=True)

            assert do_redeliver_webhooks(deliveries=WebhookDelivery.objects.all()) == 1
            assert delivery.deliver_webhook(created.pk) == "delivered"

        created.refresh_from_db()
        assert (created.status, created.attempts) == (DeliveryStatus.DELIVERED, 2)

    def test_a_non_http_url_is_never_opened(self):
        created = publish_to(type("R", (), {"url": "http://127.0.0.1:9/", "secret": ""})())
        WebhookSubscription.objects.update(url="file:///etc/passwd")

        assert delivery.deliver_webhook(created.pk) == "failed"
        created.refresh_from_db()
        assert created.last_error == "refused: not an http(s) URL"


def test_datetimes_in_a_payload_travel_as_iso_text():
    due = timezone.now()
    with run_receiver(200) as receiver:
        created = publish_to(receiver, payload={"due": due})
        delivery.deliver_webhook(created.pk)

    assert json.loads(receiver.received[0].body)["data"]["due"].startswith(due.date().isoformat())


def test_the_sweep_sends_again_only_work_whose_task_never_ran(enqueued):
    lost_email, sent_email = notify([UserFactory(), UserFactory()])
    Notification.objects.filter(pk=sent_email.pk).update(emailed_at=timezone.now())
    subscription(name="first")
    subscription(name="second")
    lost, tried = sorted(do_publish_event(kind="sla_breach", payload={}), key=lambda d: d.pk)
    WebhookDelivery.objects.filter(pk=tried.pk).update(attempts=1)
    long_ago = timezone.now() - timedelta(minutes=30)
    Notification.objects.update(created_at=long_ago)
    WebhookDelivery.objects.update(created_at=long_ago)
    enqueued.clear()

    assert delivery.redispatch_unsent_notifications() == 2

    assert enqueued == [
        ("notifications.send_email", {"notification_id": lost_email.pk}),
        ("notifications.deliver_webhook", {"delivery_id": lost.pk}),
    ]


class TestSignature:
    def test_a_received_delivery_verifies_and_a_tampered_one_does_not(self):
        with run_receiver(200) as receiver:
            created = publish_to(receiver)
            delivery.deliver_webhook(created.pk)
        (received,) = receiver.received
        stamp = received.headers["x-servicedesk-timestamp"]
        header = received.headers["x-servicedesk-signature"]

        assert verify_signature(receiver.secret, stamp, received.body, header)
        tampered = received.body.replace(b"SR-000042", b"SR-000043")
        assert not verify_signature(receiver.secret, stamp, tampered, header)
        assert not verify_signature("another secret", stamp, received.body, header)
        assert not verify_signature(receiver.secret, int(stamp) + 1, received.body, header)

    def test_an_old_timestamp_fails(self):
        body = encode_body({"event": "sla_breach"})
        old = int(time.time()) - 301

        assert not verify_signature("s3cret", old, body, sign("s3cret", old, body))
        assert verify_signature("s3cret", old + 2, body, sign("s3cret", old + 2, body))

    @pytest.mark.parametrize("stamp", ["", "yesterday", None])
    def test_a_malformed_timestamp_fails(self, stamp):
        assert not verify_signature("s3cret", stamp, b"{}", "sha256=00")
