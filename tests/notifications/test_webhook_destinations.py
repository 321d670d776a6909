"""Against SSRF: webhooks refuse loopback, private, link-local and other non-public addresses,
after resolving the host (also a name), on saving a subscription and before every delivery,
unless SERVICEDESK_WEBHOOK_ALLOW_PRIVATE; and they connect to the address they checked."""

import ipaddress

import pytest
from django.core.exceptions import ValidationError

from apps.notifications import destinations
from apps.notifications.destinations import UnsafeDestination, forbidden_kind, resolve
from apps.notifications.models import DeliveryStatus, WebhookSubscription
from apps.notifications.services import do_publish_event
from tests.notifications.conftest import make_subscription
from tests.webhook_receiver import run_receiver
from workflows import webhooks

REFUSED = {
    "127.0.0.1": "loopback",
    "::1": "loopback",
    "10.1.2.3": "private",
    "172.16.0.9": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local",
    "fe80::1": "link-local",
    "fc00::1": "private",
    "0.0.0.0": "unspecified",
    "::": "unspecified",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "240.0.0.1": "private",
    "100.64.0.1": "non-public",
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped
    "::ffff:169.254.169.254": "link-local",
    "2002:7f00:1::": "loopback",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::": "link-local",  # 6to4 of 169.254.169.254
    "64:ff9b::a9fe:a9fe": "link-local",  # NAT64 of 169.254.169.254
    "::7f00:1": "loopback",  # IPv4-compatible
}


@pytest.mark.parametrize(("address", "kind"), REFUSED.items())
def test_non_public_addresses_are_named(address, kind):
    assert forbidden_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert forbidden_kind(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://[::1]/hook",
        "https://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:6379/",  # a name that resolves to loopback
        "http://LOCALHOST/x",
        "http://[::ffff:7f00:1]/",
        "http://2130706433/",  # 127.0.0.1 as one number, which resolvers accept
    ],
)
def test_refused_after_resolution(url, settings):
    settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(UnsafeDestination):
        resolve(url)


def test_allowed_with_the_setting(settings):
    settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = True
    destination = resolve("http://localhost:8000/hook?x=1")
    assert destination.host == "localhost"
    assert destination.port == 8000
    assert destination.target == "/hook?x=1"
    assert set(destination.addresses) <= {"127.0.0.1", "::1"}


def test_a_name_with_one_private_address_is_refused(monkeypatch, settings):
    settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = False

    def two_answers(host, port, **kwargs):
        return [(2, 1, 6, "", ("93.184.215.14", port)), (2, 1, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(destinations.socket, "getaddrinfo", two_answers)
    with pytest.raises(UnsafeDestination) as refused:
        resolve("https://mixed.example.com/hook")
    assert (refused.value.address, refused.value.kind) == ("10.0.0.7", "private")


@pytest.mark.django_db
class TestOnSave:
    @pytest.mark.parametrize(
        "url", ["http://127.0.0.1/h", "http://[::1]/h", "http://localhost/h", "http://10.2.3.4/h"]
    )
    def test_a_subscription_to_a_private_address_is_invalid(self, url, settings):
        settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = False
        with pytest.raises(ValidationError) as raised:
            WebhookSubscription(name="x", url=url).full_clean()
        (message,) = raised.value.message_dict["url"]
        assert "webhooks are sent only to public addresses" in message

    def test_allowed_with_the_setting(self, settings):
        settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = True
        WebhookSubscription(name="x", url="http://127.0.0.1:9/h").full_clean()

    def test_a_name_that_does_not_resolve_now_is_accepted(self, settings):
        settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = False
        WebhookSubscription(name="x", url="https://hooks.invalid/h").full_clean()


@pytest.mark.django_db
class TestBeforeDelivery:
    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
    def test_a_delivery_to_loopback_is_refused_without_a_request(self, host, settings):
        settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = False
        with run_receiver(200) as receiver:
            port = receiver.url.split(":")[2].split("/")[0]
            make_subscription(url=f"http://{host}:{port}/hook")
            (created,) = do_publish_event(kind="sla_breach", payload={})

            assert webhooks.deliver_webhook(created.pk) == "failed"

        assert receiver.received == []
        created.refresh_from_db()
        assert created.status == DeliveryStatus.FAILED
        assert created.last_error.startswith(f"refused: {host} resolves to ")
        assert "loopback" in created.last_error

    def test_the_connection_goes_to_the_checked_address(self, monkeypatch, settings):
        """DNS rebinding: the name is resolved once, checked, and the socket is opened to that
        address; a second lookup (which could answer otherwise) never happens."""
        settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = True
        lookups = []
        real = destinations.socket.getaddrinfo

        def counting(host, port, *args, **kwargs):
            lookups.append(host)
            return real("127.0.0.1", port, *args, **kwargs)

        monkeypatch.setattr(destinations.socket, "getaddrinfo", counting)
        with run_receiver(200) as receiver:
            port = receiver.url.split(":")[2].split("/")[0]
            sub = make_subscription(url=f"http://hooks.rebind.example:{port}/hook")
            receiver.secret = sub.secret
            (created,) = do_publish_event(kind="sla_breach", payload={})

            assert webhooks.deliver_webhook(created.pk) == "delivered"

        # The name once (the check); the connection looks up only the checked literal address.
        assert lookups == ["hooks.rebind.example", "127.0.0.1"]
        (received,) = receiver.received
        assert received.verified
        assert received.headers["host"] == f"hooks.rebind.example:{port}"
