"""Delivering webhooks: signed POSTs to the subscriptions' URLs, attempts recorded, retries."""

import http.client
import logging
import random
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from apps.notifications.models import WEBHOOK_SCHEMES, DeliveryStatus, WebhookDelivery
from apps.notifications.signing import encode_body, sign
from workflows.enqueue import enqueue

logger = logging.getLogger(__name__)

USER_AGENT = "ServiceDesk-Webhooks/1"
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


def redispatch_unsent_webhooks() -> int:
    """Enqueue again first webhook attempts whose tasks never ran; return how many were sent."""
    now = timezone.now()
    window = {"created_at__lt": now - UNSENT_AFTER, "created_at__gt": now - UNSENT_UNTIL}
    deliveries = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, attempts=0, **window)
    sent = 0
    for delivery_id in deliveries.values_list("pk", flat=True).order_by("pk")[:1000]:
        sent += enqueue("notifications.deliver_webhook", delivery_id=delivery_id)
    return sent
