"""Inbound mail through a provider's webhook (django-anymail, Mailgun's raw-MIME inbound
route): authenticated by Mailgun's signature, taken in by the same intake, once."""

import hashlib
import hmac
import time

import pytest
from django.test import override_settings

from apps.mail.models import InboundMail, Mailbox, Outcome
from apps.tickets.models import ServiceRequest
from tests.mail.mails import mail

pytestmark = pytest.mark.django_db

KEY = "key-test-signing-1234567890"
URL = "/mail/anymail/mailgun/inbound_mime/"
MAILGUN = override_settings(
    ANYMAIL={"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}, SERVICEDESK_MAIL_WEBHOOK_PROVIDERS=["mailgun"]
)


def mailgun_post(raw: bytes, *, key: str = KEY, token: str = "a" * 50) -> dict[str, str]:
    """The form Mailgun posts for a route with forward() to a URL containing "mime"."""
    timestamp = str(int(time.time()))
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return {
        "recipient": "it@example.com",
        "sender": "carol@example.com",
        "from": "Carol <carol@example.com>",
        "subject": "Printer on floor 2 is jammed",
        "body-mime": raw.decode(),
        "timestamp": timestamp,
        "token": token,
        "signature": signature.hexdigest(),
    }


@MAILGUN
def test_a_signed_mailgun_post_opens_a_request_once(client, customer, department):
    mailbox = Mailbox.objects.create(
        name="IT", address="it@example.com", department=department, host="-", username="-"
    )
    raw = mail(to="IT <it@example.com>", message_id="via-mailgun@customer.example")

    first = client.post(URL, mailgun_post(raw))
    retried = client.post(URL, mailgun_post(raw, token="b" * 50))

    assert (first.status_code, retried.status_code) == (200, 200)
    inbound = InboundMail.objects.get()
    assert (inbound.outcome, inbound.source, inbound.mailbox) == (
        Outcome.CREATED,
        "anymail:mailgun",
        mailbox,
    )
    assert inbound.request.customer == customer
    assert inbound.request.department == department
    assert ServiceRequest.objects.count() == 1


@MAILGUN
def test_a_post_with_a_wrong_signature_is_refused(client, customer):
    response = client.post(URL, mailgun_post(mail(), key="not-the-key"))

    assert response.status_code == 400
    assert not InboundMail.objects.exists()


@MAILGUN
def test_a_malformed_mail_posted_is_kept_aside(client):
    response = client.post(URL, mailgun_post(b"garbage without any header\r\n"))

    assert response.status_code == 200
    assert InboundMail.objects.get().outcome == Outcome.MALFORMED


@pytest.mark.parametrize(
    "url", [URL, "/mail/anymail/postmark/inbound/", "/mail/anymail/amazon_ses/inbound/"]
)
def test_a_provider_not_switched_on_is_not_found(client, url):
    response = client.post(url, mailgun_post(mail()))

    assert response.status_code == 404
    assert not InboundMail.objects.exists()
