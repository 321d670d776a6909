"""Webhooks in the Standard Webhooks format: deliveries made in the caller's transaction and
sent after commit, every one verified by the `standardwebhooks` package at a real local HTTP
receiver; retries from the database on the documented schedule."""

import base64
import json
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from standardwebhooks import Webhook

from apps.notifications import signing
from apps.notifications.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from apps.notifications.services import do_publish_event, do_redeliver_webhooks
from tests.notifications.conftest import make_subscription
from tests.webhook_receiver import run_receiver
from workflows import tasks, webhooks

pytestmark = pytest.mark.django_db

SCHEDULE = [0, 5, 300, 1800, 7200, 18000, 36000, 36000]


def publish_to(receiver, kind="sla_breach", payload=None, **fields):
    sub = make_subscription(url=receiver.url, **fields)
    receiver.secret = sub.secret
    (created,) = do_publish_event(kind=kind, payload=payload or {"request": "SR-000042"})
    return created


def reload(delivery: WebhookDelivery) -> WebhookDelivery:
    delivery.refresh_from_db()
    return delivery


class TestPublishEvent:
    def test_one_due_delivery_per_active_subscription_wanting_the_kind(
        self, sent_tasks, django_capture_on_commit_callbacks
    ):
        breaches = make_subscription(name="breaches", event_kinds=["sla_breach"])
        everything = make_subscription(name="everything")
        make_subscription(name="escalations", event_kinds=["escalation"])
        make_subscription(name="off", active=False)

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            created = do_publish_event(kind="sla_breach", payload={"request": "SR-000001"})
        assert sent_tasks == []
        for callback in callbacks:
            callback()

        assert {d.subscription for d in created} == {breaches, everything}
        assert {d.status for d in created} == {DeliveryStatus.PENDING}
        assert all(d.next_attempt_at <= timezone.now() for d in created)
        assert sorted(kw["delivery_id"] for _, kw, _ in sent_tasks) == sorted(d.pk for d in created)
        assert {name for name, _, _ in sent_tasks} == {"notifications.deliver_webhook"}

    def test_no_subscription_no_delivery(self, sent_tasks):
        assert do_publish_event(kind="sla_breach", payload={}) == []
        assert not WebhookDelivery.objects.exists()


class TestSubscriptionModel:
    @pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "not a url"])
    def test_only_http_urls_are_valid(self, url):
        with pytest.raises(ValidationError) as raised:
            WebhookSubscription(name="x", url=url).full_clean()
        assert "url" in raised.value.message_dict

    def test_event_kinds_must_be_a_list_of_names(self):
        with pytest.raises(ValidationError):
            WebhookSubscription(name="x", url="https://e.example/h", event_kinds="sla").full_clean()
        WebhookSubscription(name="x", url="https://e.example/h", event_kinds=["sla"]).full_clean()

    def test_every_subscription_gets_its_own_standard_secret(self):
        one, two = make_subscription().secret, make_subscription().secret
        assert one != two
        assert one.startswith("whsec_")
        assert len(base64.b64decode(one.removeprefix("whsec_"))) == 32


@pytest.mark.usefixtures("allow_private")
class TestDeliverWebhook:
    def test_a_2xx_answer_delivers_it_in_the_standard_format(self):
        with run_receiver(200) as receiver:
            created = publish_to(receiver, payload={"request": "SR-000042", "level": 2})

            assert webhooks.deliver_webhook(created.pk) == "delivered"
            assert webhooks.deliver_webhook(created.pk) == "already delivered"

        (received,) = receiver.received
        assert received.verified
        headers = received.headers
        assert headers["content-type"] == "application/json"
        assert headers["webhook-id"] == f"msg_{created.pk}"
        assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
        assert headers["webhook-signature"].startswith("v1,")
        assert not any(name.startswith("x-servicedesk") for name in headers)
        body = Webhook(receiver.secret).verify(received.body, headers)
        assert body == {
            "type": "sla_breach",
            "timestamp": created.occurred_at.isoformat().replace("+00:00", "Z"),
            "data": {"request": "SR-000042", "level": 2},
        }
        created = reload(created)
        assert (created.status, created.attempts, created.last_status_code) == (
            DeliveryStatus.DELIVERED,
            1,
            200,
        )
        assert created.delivered_at is not None
        assert created.next_attempt_at is None

    def test_a_5xx_answer_is_recorded_and_retried_on_the_schedule(self, sent_tasks, settings):
        settings.SERVICEDESK_WEBHOOK_RETRY_SCHEDULE = SCHEDULE
        with run_receiver(500) as receiver:
            created = publish_to(receiver)
            before = timezone.now()

            assert webhooks.deliver_webhook(created.pk) == "retrying"

        created = reload(created)
        assert (created.status, created.attempts, created.last_status_code) == (
            DeliveryStatus.PENDING,
            1,
            500,
        )
        assert "receiver says no" in created.last_error
        assert receiver.received[0].verified
        # 5 s, jittered by at most a fifth; so short a wait rides on a countdown task.
        wait = (created.next_attempt_at - before).total_seconds()
        assert 4 <= wait <= 6.5
        ((name, kwargs, countdown),) = sent_tasks
        assert (name, kwargs) == ("notifications.deliver_webhook", {"delivery_id": created.pk})
        assert 4 <= countdown <= 6

    def test_an_attempt_not_yet_due_is_not_made(self):
        with run_receiver(500) as receiver:
            created = publish_to(receiver)
            WebhookDelivery.objects.filter(pk=created.pk).update(
                next_attempt_at=timezone.now() + timedelta(minutes=5)
            )

            assert webhooks.deliver_webhook(created.pk) == "not due"

        assert receiver.received == []

    def test_the_schedule_spans_about_a_day_and_then_fails(self, sent_tasks, settings):
        settings.SERVICEDESK_WEBHOOK_RETRY_SCHEDULE = SCHEDULE
        waits = []
        with run_receiver(503) as receiver:
            created = publish_to(receiver)
            for _ in SCHEDULE:
                WebhookDelivery.objects.filter(pk=created.pk).update(next_attempt_at=timezone.now())
                outcome = webhooks.deliver_webhook(created.pk)
                created = reload(created)
                if created.next_attempt_at:
                    waits.append((created.next_attempt_at - timezone.now()).total_seconds())

        assert outcome == "failed"
        assert (created.status, created.attempts, created.next_attempt_at) == (
            DeliveryStatus.FAILED,
            8,
            None,
        )
        assert len(receiver.received) == 8
        assert all(r.verified for r in receiver.received)
        assert len({r.body for r in receiver.received}) == 1  # the same bytes every time
        assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
        for wait, planned in zip(waits, SCHEDULE[1:], strict=True):
            assert planned * 0.8 - 1 <= wait <= planned * 1.2
        assert 0.8 * sum(SCHEDULE) / 3600 <= sum(waits) / 3600 <= 1.2 * sum(SCHEDULE) / 3600
        # Only the short retry rode on a countdown; the rest waited in the database.
        assert [round(c) for _, _, c in sent_tasks if c is not None] == [round(waits[0])]

    def test_410_gone_fails_at_once(self):
        with run_receiver(410) as receiver:
            created = publish_to(receiver)
            assert webhooks.deliver_webhook(created.pk) == "failed"
        assert reload(created).status == DeliveryStatus.FAILED

    def test_a_refused_connection_is_recorded_for_a_retry(self):
        with run_receiver(200) as receiver:
            url = receiver.url  # nothing listens there once the receiver has stopped
        created = publish_to(receiver)
        WebhookSubscription.objects.update(url=url)

        assert webhooks.deliver_webhook(created.pk) == "retrying"

        created = reload(created)
        assert (created.attempts, created.last_status_code) == (1, None)
        assert "refused" in created.last_error.lower()

    def test_a_redirect_is_a_failure_and_not_followed(self):
        with run_receiver(302) as receiver:
            created = publish_to(receiver)
            assert webhooks.deliver_webhook(created.pk) == "retrying"
        assert len(receiver.received) == 1
        assert reload(created).last_status_code == 302

    def test_the_task_makes_one_attempt(self):
        with run_receiver(500) as receiver:
            created = publish_to(receiver)
            tasks.deliver_webhook.apply(kwargs={"delivery_id": created.pk})

        assert (reload(created).status, reload(created).attempts) == (DeliveryStatus.PENDING, 1)
        assert len(receiver.received) == 1

    def test_a_failed_delivery_can_be_sent_again_with_a_fresh_schedule(self, sent_tasks):
        with run_receiver(500, 200) as receiver:
            created = publish_to(receiver)
            WebhookDelivery.objects.filter(pk=created.pk).update(
                status=DeliveryStatus.FAILED, round_attempts=8, attempts=8, next_attempt_at=None
            )

            assert do_redeliver_webhooks(deliveries=WebhookDelivery.objects.all()) == 1
            assert reload(created).round_attempts == 0
            assert webhooks.deliver_webhook(created.pk) == "retrying"
            WebhookDelivery.objects.update(next_attempt_at=timezone.now())
            assert webhooks.deliver_webhook(created.pk) == "delivered"

        created = reload(created)
        assert (created.status, created.attempts) == (DeliveryStatus.DELIVERED, 10)

    def test_an_inactive_subscription_fails_its_delivery(self):
        with run_receiver(200) as receiver:
            created = publish_to(receiver)
            WebhookSubscription.objects.update(active=False)
            assert webhooks.deliver_webhook(created.pk) == "failed"
        assert receiver.received == []

    def test_a_non_http_url_is_never_opened(self):
        created = publish_to(type("R", (), {"url": "http://127.0.0.1:9/", "secret": ""})())
        WebhookSubscription.objects.update(url="file:///etc/passwd")

        assert webhooks.deliver_webhook(created.pk) == "failed"
        assert reload(created).last_error == "refused: not an http(s) URL"

    def test_datetimes_in_a_payload_travel_as_iso_text(self):
        due = timezone.now()
        with run_receiver(200) as receiver:
            created = publish_to(receiver, payload={"due": due})
            webhooks.deliver_webhook(created.pk)

        data = json.loads(receiver.received[0].body)["data"]
        assert data["due"].startswith(due.date().isoformat())

    def test_after_a_rotation_both_secrets_sign_for_a_while(self):
        with run_receiver(200) as receiver:
            created = publish_to(receiver)
            old = receiver.secret
            WebhookSubscription.objects.update(
                secret=signing.new_secret(),
                previous_secret=old,
                previous_secret_until=timezone.now() + timedelta(hours=1),
            )
            webhooks.deliver_webhook(created.pk)

        (received,) = receiver.received
        assert len(received.headers["webhook-signature"].split(" ")) == 2
        new = WebhookSubscription.objects.get().secret
        for secret in (old, new):
            Webhook(secret).verify(received.body, received.headers)


class TestSweep:
    def test_the_sweep_hands_each_due_delivery_to_one_task(self, sent_tasks, allow_private):
        now = timezone.now()
        make_subscription(name="a")
        make_subscription(name="b")
        due, later = sorted(do_publish_event(kind="sla_breach", payload={}), key=lambda d: d.pk)
        WebhookDelivery.objects.filter(pk=later.pk).update(next_attempt_at=now + timedelta(hours=1))
        sent_tasks.clear()

        assert webhooks.sweep_due_deliveries() == 1
        assert webhooks.sweep_due_deliveries() == 0  # handed off: not due again for a while

        ((name, kwargs, _),) = sent_tasks
        assert (name, kwargs["delivery_id"]) == ("notifications.deliver_webhook", due.pk)
        # The task holding the hand-off sends it; one without it finds it not due.
        assert webhooks.deliver_webhook(due.pk) == "not due"
        handed = reload(due).next_attempt_at
        assert kwargs["hand_off"] == handed.isoformat()


class TestLegacySecrets:
    def test_an_old_secret_keeps_its_key_bytes(self):
        old = "Kq3r0-legacy_token_urlsafe_value_of_43_chars"
        standard = signing.secret_from_legacy(old)

        assert standard.startswith("whsec_")
        assert signing.key_of(standard) == old.encode()
        assert signing.secret_from_legacy(standard) == standard
        body, stamp = b'{"type":"sla_breach"}', int(time.time())
        headers = signing.signed_headers(
            secrets_in_use=[standard], msg_id="msg_1", timestamp=stamp, body=body
        )
        Webhook(standard).verify(body, headers)
        # The same key a receiver holding the old text would use.
        Webhook(old.encode()).verify(body, headers)

    @pytest.mark.parametrize("secret", ["plain", "whsec_", "whsec_not base64!"])
    def test_a_secret_not_in_the_standard_form_is_refused(self, secret):
        with pytest.raises(ValueError):
            signing.key_of(secret)
