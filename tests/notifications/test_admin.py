"""The notifications admin: pages open, the secret shows only once saved, deliveries resend."""

import pytest
from django.urls import reverse

from apps.notifications.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from apps.notifications.services import do_notify, do_publish_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(model, view: str, *args) -> str:
    return reverse(f"admin:notifications_{model}_{view}", args=args)


@pytest.fixture
def subscription(db):
    return WebhookSubscription.objects.create(name="ops", url="https://hooks.example.com/sd")


def test_the_lists_open_and_filter(admin_client, subscription):
    do_notify(recipients=[UserFactory()], kind="sla_breach", title="Breached", body="")
    do_publish_event(kind="sla_breach", payload={"request": "SR-000001"})

    for model, query in [
        ("notification", "?kind=sla_breach&read=no"),
        ("webhooksubscription", "?active__exact=1"),
        ("webhookdelivery", "?status__exact=pending&event_kind=sla_breach"),
    ]:
        response = admin_client.get(url(model, "changelist") + query)
        assert response.status_code == 200, model
        assert response.context["cl"].result_count == 1, model


def test_notifications_and_deliveries_are_read_only(admin_client, subscription):
    (delivery,) = do_publish_event(kind="sla_breach", payload={})

    assert admin_client.get(url("notification", "add")).status_code == 403
    assert admin_client.get(url("webhookdelivery", "add")).status_code == 403
    page = admin_client.get(url("webhookdelivery", "change", delivery.pk))
    assert page.status_code == 200
    assert b'name="status"' not in page.content


def test_the_secret_shows_once_the_subscription_exists(admin_client, subscription):
    add = admin_client.get(url("webhooksubscription", "add"))
    change = admin_client.get(url("webhooksubscription", "change", subscription.pk))

    assert b"Generated when the subscription is saved" in add.content
    assert subscription.secret.encode() in change.content


def test_a_subscription_refuses_a_file_url(admin_client):
    response = admin_client.post(
        url("webhooksubscription", "add"),
        {"name": "x", "url": "file:///etc/passwd", "event_kinds": "[]", "active": "on"},
    )

    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    assert not WebhookSubscription.objects.exists()


def test_failed_deliveries_can_be_sent_again(admin_client, subscription):
    (delivery,) = do_publish_event(kind="sla_breach", payload={})
    WebhookDelivery.objects.update(status=DeliveryStatus.FAILED, attempts=7)

    response = admin_client.post(
        url("webhookdelivery", "changelist"),
        {"action": "redeliver", "_selected_action": [delivery.pk]},
        follow=True,
    )

    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
