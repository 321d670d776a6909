"""Delivering notifications: e-mail through Django's backend, and signed webhook POSTs."""

import http.client
import logging
import random
import urllib.error
import urllib.request
from datetime import timedelta
from email.utils import make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from apps.accounts.selectors import language_of
from apps.notifications.models import (
    WEBHOOK_SCHEMES,
    DeliveryStatus,
    Notification,
    WebhookDelivery,
)
from apps.notifications.signing import encode_body, sign
from workflows.enqueue import enqueue

logger = logging.getLogger(__name__)

USER_AGENT = "ServiceDesk-Webhooks/1"
# Work older than this with no attempt yet was lost on the way to the broker; younger work may
# still be queued behind other tasks. Older than a day is no longer worth sending.
UNSENT_AFTER = timedelta(minutes=10)
UNSENT_UNTIL = timedelta(days=1)


class WebhookDeliveryError(Exception):
    """An attempt to deliver a webhook failed; the task retries it with backoff."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would resend the signed body somewhere the subscriber did not name; a 3xx
    # counts as a failed attempt instead.
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0917  urllib's signature
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def send_notification_email(notification_id: int) -> str:
    """E-mail the notification to its recipient unless that was done; return what happened.

    The mail threads: its Message-ID is kept on the notification (a reply names it), and it
    answers the earlier mails about the same request to the same person (`In-Reply-To`,
    `References`), with the request's reference in brackets in the subject. It is marked as
    sent automatically, so that vacation replies do not answer it.

    At least once: a worker lost between sending and recording may send it again (with the
    same Message-ID, which mail clients show once)."""
    notification = (
        Notification.objects.select_related("recipient", "request").filter(pk=notification_id)
    ).first()
    if notification is None:
        return "gone"
    if notification.emailed_at is not None:
        return "already sent"
    user = notification.recipient
    if not (user.is_active and user.email):
        Notification.objects.filter(pk=notification.pk).update(email_wanted=False)
        return "no address"
    message_id = _claim_message_id(notification)
    mail = EmailMessage(
        subject=mail_subject(notification),
        body=_mail_body(notification),
        to=[user.email],
        headers={
            "Message-ID": f"<{message_id}>",
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "Content-Language": language_of(user),
            **_thread_headers(notification),
        },
        reply_to=_reply_to(notification),
    )
    mail.send()
    Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    return "sent"


def mail_subject(notification: Notification) -> str:
    """The title, with the request's reference in brackets (added if the title lacks it); a
    line break in a subject is a header injection to Django (BadHeaderError)."""
    subject = " ".join(notification.title.split())
    if notification.request_id is None:
        return subject
    reference = notification.request.reference
    if reference in subject:
        return subject.replace(reference, f"[{reference}]", 1)
    return f"[{reference}] {subject}"


def _mail_body(notification: Notification) -> str:
    if notification.request_id is None:
        return notification.body
    request = notification.request
    return f"{notification.body}\n\n--\n{request.reference}: {request.subject}"


def _claim_message_id(notification: Notification) -> str:
    """The mail's Message-ID, chosen once and stored before sending: a reply that arrives
    before the send is recorded still finds its request."""
    if notification.message_id:
        return notification.message_id
    message_id = make_msgid(idstring=f"n{notification.pk}", domain=_mail_domain()).strip("<>")
    Notification.objects.filter(pk=notification.pk, message_id__isnull=True).update(
        message_id=message_id
    )
    notification.refresh_from_db(fields=["message_id"])
    return str(notification.message_id)


def _thread_headers(notification: Notification) -> dict[str, str]:
    """`In-Reply-To` the latest earlier mail about the request to the same person, and
    `References` the first and that one; nothing for the first mail of a thread."""
    if notification.request_id is None:
        return {}
    earlier = list(
        Notification.objects.filter(
            request_id=notification.request_id,
            recipient_id=notification.recipient_id,
            message_id__isnull=False,
            pk__lt=notification.pk,
        )
        .order_by("pk")
        .values_list("message_id", flat=True)
    )
    if not earlier:
        return {}
    chain = list(dict.fromkeys([earlier[0], earlier[-1]]))
    return {
        "In-Reply-To": f"<{earlier[-1]}>",
        "References": " ".join(f"<{m}>" for m in chain),
    }


def _reply_to(notification: Notification) -> list[str]:
    address = settings.SERVICEDESK_MAIL_REPLY_TO
    return [address] if address and notification.request_id else []


def _mail_domain() -> str:
    """SERVICEDESK_MAIL_DOMAIN, else DEFAULT_FROM_EMAIL's ("desk@example.com" -> "example.com")."""
    if settings.SERVICEDESK_MAIL_DOMAIN:
        return str(settings.SERVICEDESK_MAIL_DOMAIN)
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def deliver_webhook(delivery_id: int, *, last_attempt: bool = False) -> str:
    """POST the delivery, signed, to its subscription; return what happened.

    Records every attempt. On a failure raises `WebhookDeliveryError` (the task retries),
    unless `last_attempt`, when the delivery is marked failed. Delivered ones are left alone.
    """
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id)
    delivery = delivery.first()
    if delivery is None:
        return "gone"
    if delivery.status != DeliveryStatus.PENDING:
        return f"already {delivery.status}"
    subscription = delivery.subscription
    if not subscription.active:
        _record_attempt(delivery, None, "the subscription is inactive", final=True)
        return "failed"
    if urlsplit(subscription.url).scheme not in WEBHOOK_SCHEMES:
        _record_attempt(delivery, None, "refused: not an http(s) URL", final=True)
        return "failed"
    status_code, error = post_signed(
        subscription.url,
        secret=subscription.secret,
        body=encode_body(delivery.envelope()),
        headers={
            "X-ServiceDesk-Event": delivery.event_kind,
            "X-ServiceDesk-Delivery": str(delivery.pk),
        },
    )
    _record_attempt(delivery, status_code, error, final=last_attempt)
    if error is None:
        return "delivered"
    if last_attempt:
        logger.warning("Webhook delivery %s failed for good: %s", delivery.pk, error)
        return "failed"
    raise WebhookDeliveryError(f"delivery {delivery.pk} to {subscription.url}: {error}")


def post_signed(
    url: str, *, secret: str, body: bytes, headers: dict[str, str]
) -> tuple[int | None, str | None]:
    """POST `body` with a fresh timestamp and its signature; return (HTTP status, error or None)."""
    timestamp = int(timezone.now().timestamp())
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            **headers,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-ServiceDesk-Timestamp": str(timestamp),
            "X-ServiceDesk-Signature": sign(secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.SERVICEDESK_WEBHOOK_TIMEOUT) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        detail = exc.read(200).decode(errors="replace").strip()
        return exc.code, f"HTTP {exc.code} {detail}".strip()
    except (OSError, ValueError, http.client.HTTPException) as exc:
        # Refused, reset, timed out, unresolvable, or a malformed answer: all worth a retry.
        return None, f"{type(exc).__name__}: {exc}"


def _record_attempt(
    delivery: WebhookDelivery, status_code: int | None, error: str | None, *, final: bool
) -> None:
    now = timezone.now()
    if error is None:
        status, delivered_at = DeliveryStatus.DELIVERED, now
    else:
        status = DeliveryStatus.FAILED if final else DeliveryStatus.PENDING
        delivered_at = None
    # An UPDATE with F() so that a concurrent attempt's count is not overwritten.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1,
        status=status,
        last_status_code=status_code,
        last_error=error or "",
        last_attempt_at=now,
        delivered_at=delivered_at,
    )


def retry_countdown(retries: int) -> float:
    """Seconds before retry number `retries` + 1: exponential, capped, half of it random so
    that receivers coming back from an outage are not hit by every retry at once."""
    base = min(
        settings.SERVICEDESK_WEBHOOK_RETRY_BACKOFF_MAX,
        settings.SERVICEDESK_WEBHOOK_RETRY_BACKOFF * 2**retries,
    )
    return base / 2 + random.uniform(0, base / 2)


def redispatch_unsent_notifications() -> int:
    """Enqueue again the e-mails and first webhook attempts whose tasks never ran (a broker
    outage at commit time); return how many were sent to the broker."""
    now = timezone.now()
    window = {"created_at__lt": now - UNSENT_AFTER, "created_at__gt": now - UNSENT_UNTIL}
    emails = Notification.objects.filter(email_wanted=True, emailed_at__isnull=True, **window)
    deliveries = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, attempts=0, **window)
    sent = 0
    for notification_id in emails.values_list("pk", flat=True).order_by("pk")[:1000]:
        sent += enqueue("notifications.send_email", notification_id=notification_id)
    for delivery_id in deliveries.values_list("pk", flat=True).order_by("pk")[:1000]:
        sent += enqueue("notifications.deliver_webhook", delivery_id=delivery_id)
    return sent
