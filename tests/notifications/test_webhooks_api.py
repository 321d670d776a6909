"""The staff API for webhook subscriptions: who may call it (an access matrix), the secret
shown on creation and rotation only, SSRF refused with a clear error, the delivery log."""

import pytest
from rest_framework.test import APIClient
from standardwebhooks import Webhook

from apps.notifications.models import WebhookDelivery, WebhookSubscription
from apps.notifications.services import do_publish_event
from tests.api.test_permissions import make_caller
from tests.notifications.conftest import make_subscription
from tests.support.api import client_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhooks/subscriptions/"
CALLERS = ["anonymous", "customer", "plain", "agent", "lead", "supervisor", "staff"]
# Staff status only, as the reports: an agent, a lead or a superuser without it is refused.
REFUSED = {"anonymous": 401, "customer": 403, "plain": 403, "agent": 403, "lead": 403}
REFUSED["supervisor"] = 403


def client_as(who: str) -> APIClient:
    user = make_caller(who)
    return APIClient() if user is None else client_for(user)


def endpoints(pk: int) -> list[tuple[str, str, dict | None, int]]:
    """(method, path, body, status for staff) of every webhook endpoint."""
    return [
        ("get", BASE, None, 200),
        ("post", BASE, {"name": "n", "url": "https://hooks.example.com/x"}, 201),
        ("get", f"{BASE}{pk}/", None, 200),
        ("patch", f"{BASE}{pk}/", {"active": False}, 200),
        ("post", f"{BASE}{pk}/rotate-secret/", None, 200),
        ("get", f"{BASE}{pk}/deliveries/", None, 200),
        ("delete", f"{BASE}{pk}/", None, 204),
    ]


@pytest.mark.parametrize("who", CALLERS)
def test_access_matrix(who):
    subscription = make_subscription()
    secret = subscription.secret
    client = client_as(who)
    for method, path, body, staff_status in endpoints(subscription.pk):
        response = getattr(client, method)(path, body, format="json")
        expected = REFUSED.get(who, staff_status)
        assert response.status_code == expected, (method, path, response.content)
        if expected >= 400:
            assert list(response.json()) == ["error"]
            assert secret not in response.content.decode()
    if who in REFUSED:
        subscription.refresh_from_db()
        assert (subscription.active, subscription.secret) == (True, secret)
        assert WebhookSubscription.objects.count() == 1


@pytest.fixture
def staff():
    return client_as("staff")


def test_create_shows_the_secret_once(staff):
    response = staff.post(
        BASE,
        {
            "name": "Ops chat",
            "url": "https://hooks.example.com/sd",
            "event_types": ["request.created", "message.created"],
            "internal": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    subscription = WebhookSubscription.objects.get()
    assert body["secret"] == subscription.secret
    assert body["secret"].startswith("whsec_")
    assert Webhook(body["secret"])  # a secret the standard library accepts
    assert (body["event_types"], body["internal"], body["active"]) == (
        ["request.created", "message.created"],
        True,
        True,
    )
    assert "secret" not in staff.get(f"{BASE}{subscription.pk}/").json()
    assert all("secret" not in s for s in staff.get(BASE).json()["results"])


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/x", "http://[::1]/x", "http://10.0.0.1/x", "http://169.254.169.254/"],
)
def test_a_private_url_is_refused_with_a_clear_error(staff, url, settings):
    settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = False
    response = staff.post(BASE, {"name": "n", "url": url}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "webhooks are sent only to public addresses" in error["fields"]["url"]
    assert not WebhookSubscription.objects.exists()


def test_the_same_check_on_change(staff, settings):
    settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = False
    subscription = make_subscription()
    response = staff.patch(f"{BASE}{subscription.pk}/", {"url": "http://localhost/"}, format="json")
    assert response.status_code == 400
    assert "url" in response.json()["error"]["fields"]
    subscription.refresh_from_db()
    assert subscription.url == "https://hooks.example.com/desk"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "n", "url": "https://h.example.com/", "event_types": ["request.exploded"]},
        {"name": "n", "url": "https://h.example.com/", "event_types": "request.created"},
        {"name": "n", "url": "ftp://h.example.com/"},
        {"name": "", "url": "https://h.example.com/"},
        {"url": "https://h.example.com/"},
    ],
)
def test_bad_input_is_400(staff, body):
    response = staff.post(BASE, body, format="json")
    assert response.status_code == 400, response.content
    assert not WebhookSubscription.objects.exists()


def test_change_and_rotate(staff):
    subscription = make_subscription()
    old = subscription.secret

    changed = staff.patch(
        f"{BASE}{subscription.pk}/",
        {"event_types": ["request.state_changed"], "active": False},
        format="json",
    )
    rotated = staff.post(f"{BASE}{subscription.pk}/rotate-secret/")

    assert changed.status_code == 200
    assert (changed.json()["event_types"], changed.json()["active"]) == (
        ["request.state_changed"],
        False,
    )
    assert rotated.status_code == 200
    subscription.refresh_from_db()
    assert rotated.json()["secret"] == subscription.secret != old
    assert subscription.secrets_in_use() == [subscription.secret, old]


def test_the_delivery_log_of_one_subscription(staff):
    mine = make_subscription(name="mine")
    make_subscription(name="other")
    do_publish_event(kind="sla_breach", payload={"request": "SR-000001"})

    response = staff.get(f"{BASE}{mine.pk}/deliveries/")

    assert response.status_code == 200
    (row,) = response.json()["results"]
    delivery = WebhookDelivery.objects.get(subscription=mine)
    assert row["webhook_id"] == f"msg_{delivery.pk}"
    assert (row["type"], row["status"], row["payload"]) == (
        "sla_breach",
        "pending",
        {"request": "SR-000001"},
    )
    assert staff.get(f"{BASE}999999/deliveries/").status_code == 404


def test_delete_removes_it_and_its_log(staff):
    subscription = make_subscription()
    do_publish_event(kind="sla_breach", payload={})

    assert staff.delete(f"{BASE}{subscription.pk}/").status_code == 204
    assert not WebhookSubscription.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert staff.get(f"{BASE}{subscription.pk}/").status_code == 404


def test_the_schema_documents_the_endpoints(staff):
    schema = APIClient().get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/webhooks/subscriptions/"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/webhooks/subscriptions/{id}/"])
    assert "post" in paths["/api/v1/webhooks/subscriptions/{id}/rotate-secret/"]
    assert "get" in paths["/api/v1/webhooks/subscriptions/{id}/deliveries/"]
