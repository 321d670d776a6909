"""A real Celery worker on real Redis retries a failing webhook on its schedule until it lands."""

import pytest

from apps.notifications.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from apps.notifications.services import do_publish_event
from tests.support.workers import wait_for
from tests.webhook_receiver import run_receiver

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _short_schedule(monkeypatch, settings):
    # Autouse, so it runs before the worker fixture copies the environment: retries wait
    # fractions of a second instead of the production 5 s, 5 min, ...; and the receiver of
    # this test listens on 127.0.0.1.
    monkeypatch.setenv("SERVICEDESK_WEBHOOK_RETRY_SCHEDULE", "0,0.2,0.2,0.2")
    monkeypatch.setenv("SERVICEDESK_WEBHOOK_ALLOW_PRIVATE", "true")
    settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = True


def test_a_webhook_failing_twice_is_delivered_on_the_third_attempt(celery_worker_process):
    with run_receiver(500, 502, 200) as receiver:
        subscription = WebhookSubscription.objects.create(
            name="ops", url=receiver.url, event_kinds=["sla_breach"]
        )
        receiver.secret = subscription.secret
        # Autocommit: the delivery task is on Redis once this returns.
        (created,) = do_publish_event(kind="sla_breach", payload={"request": "SR-000007"})

        def delivered():
            assert celery_worker_process.poll() is None, "the worker died"
            return WebhookDelivery.objects.get(pk=created.pk).status == DeliveryStatus.DELIVERED

        wait_for(delivered, timeout=90, what="the worker to deliver the webhook")

    done = WebhookDelivery.objects.get(pk=created.pk)
    assert (done.attempts, done.last_status_code, done.last_error) == (3, 200, "")
    assert len(receiver.received) == 3
    assert all(r.verified for r in receiver.received)
    # Every retry sends the same body, for the same delivery, signed afresh.
    assert len({r.body for r in receiver.received}) == 1
    assert {r.headers["webhook-id"] for r in receiver.received} == {f"msg_{created.pk}"}
