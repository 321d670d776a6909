"""Webhook test fixtures: deliveries allowed to this machine's receiver, and the broker's
messages recorded instead of sent (the worker tests cover the broker)."""

import pytest

from apps.notifications.models import WebhookSubscription
from workflows import receivers, webhooks


@pytest.fixture
def allow_private(settings):
    """The receivers in these tests listen on 127.0.0.1, which deliveries refuse by default."""
    settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def sent_tasks(monkeypatch):
    """(task name, kwargs, countdown) of what would go to the broker."""
    sent = []

    def record(name, **kwargs):
        sent.append((name, kwargs, None))
        return True

    def later(delivery_id, delay):
        sent.append((webhooks.TASK, {"delivery_id": delivery_id}, delay))

    monkeypatch.setattr(receivers, "enqueue", record)
    monkeypatch.setattr(webhooks, "enqueue", record)
    monkeypatch.setattr(webhooks, "_send_later", later)
    return sent


def make_subscription(url="https://hooks.example.com/desk", **fields) -> WebhookSubscription:
    """A saved subscription (no validation: tests that check it call full_clean)."""
    return WebhookSubscription.objects.create(name=fields.pop("name", "ops"), url=url, **fields)
