"""Delivering webhooks: Standard Webhooks POSTs to checked addresses, attempts recorded, and
retries from the database (`next_attempt_at`), sent by a sweep rather than by Celery ETAs.

A delivery is due when it is pending and its `next_attempt_at` has passed. Whoever sends it
first claims it (a conditional UPDATE moves `next_attempt_at` past the attempt), so the task
enqueued after commit, a short-retry task and the sweep never send one attempt twice; a worker
lost mid-attempt leaves the claim to expire, and the sweep sends it again (at least once).
"""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.notifications.destinations import Unresolvable, UnsafeDestination, resolve
from apps.notifications.models import DeliveryStatus, WebhookDelivery
from apps.notifications.signing import encode_body, signed_headers
from servicedesk.celery import app
from workflows import webhook_http
from workflows.enqueue import enqueue

logger = logging.getLogger(__name__)

TASK = "notifications.deliver_webhook"
# A retry this soon rides on a Celery countdown (well inside the broker's visibility timeout);
# later ones wait in the database for the sweep. The database is the truth either way.
SHORT_RETRY_SECONDS = 60
# The sweep hands a due delivery to one task for this long; a task lost on the way is
# replaced once it expires.
HAND_OFF = timedelta(minutes=5)
SWEEP_BATCH = 500
JITTER = 0.2  # each delay is stretched or shrunk by up to a fifth
GONE = 410  # the receiver asks for no more (Standard Webhooks): failed at once


def attempt_lease() -> timedelta:
    """How long a claimed attempt holds its delivery: longer than the attempt can take."""
    return timedelta(seconds=max(60.0, 4 * settings.SERVICEDESK_WEBHOOK_TIMEOUT))


def retry_delay(attempts_made: int) -> float | None:
    """Seconds to wait after `attempts_made` failed attempts of this round, jittered so that
    receivers coming back from an outage are not hit by every retry at once; None when the
    schedule is used up (the delivery fails)."""
    schedule = settings.SERVICEDESK_WEBHOOK_RETRY_SCHEDULE
    if attempts_made >= len(schedule):
        return None
    return schedule[attempts_made] * random.uniform(1 - JITTER, 1 + JITTER)


def _claim(delivery_id: int, hand_off: str | None) -> bool:
    now = timezone.now()
    due = Q(next_attempt_at__lte=now)
    handed = parse_datetime(hand_off) if hand_off else None
    if handed is not None:
        due |= Q(next_attempt_at=handed)
    claimed = WebhookDelivery.objects.filter(due, pk=delivery_id, status=DeliveryStatus.PENDING)
    return bool(claimed.update(next_attempt_at=now + attempt_lease()))


def deliver_webhook(delivery_id: int, *, hand_off: str | None = None) -> str:
    """Make the delivery's next attempt if it is due (or was handed over by the sweep with
    `hand_off`); return what happened: "delivered", "retrying", "failed", or why nothing was
    sent. Every attempt is recorded; a failure schedules the next one or fails the delivery."""
    if not _claim(delivery_id, hand_off):
        rows = WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True)
        status = rows.first()
        if status is None:
            return "gone"
        return "not due" if status == DeliveryStatus.PENDING else f"already {status}"
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    if not subscription.active:
        return _record(delivery, None, "the subscription is inactive", final=True)
    try:
        destination = resolve(subscription.url)
    except UnsafeDestination as refused:
        return _record(delivery, None, f"refused: {refused}", final=True)
    except ValueError:
        return _record(delivery, None, "refused: not an http(s) URL", final=True)
    except Unresolvable as unresolvable:
        return _record(delivery, None, f"unresolvable: {unresolvable}", final=False)
    body = encode_body(delivery.envelope())
    headers = signed_headers(
        secrets_in_use=subscription.secrets_in_use(),
        msg_id=delivery.message_id,
        timestamp=int(timezone.now().timestamp()),
        body=body,
    )
    status_code, error = webhook_http.post(
        destination, body=body, headers=headers, timeout=settings.SERVICEDESK_WEBHOOK_TIMEOUT
    )
    return _record(delivery, status_code, error, final=status_code == GONE)


def _record(
    delivery: WebhookDelivery, status_code: int | None, error: str | None, *, final: bool
) -> str:
    now = timezone.now()
    delay = None if error is None or final else retry_delay(delivery.round_attempts + 1)
    if error is None:
        status, outcome, next_at = DeliveryStatus.DELIVERED, "delivered", None
    elif delay is None:
        status, outcome, next_at = DeliveryStatus.FAILED, "failed", None
        logger.warning("Webhook delivery %s failed for good: %s", delivery.pk, error)
    else:
        next_at = now + timedelta(seconds=delay)
        status, outcome = DeliveryStatus.PENDING, "retrying"
    # F() so that the counts stay right whoever else touched the row.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1,
        round_attempts=F("round_attempts") + 1,
        status=status,
        last_status_code=status_code,
        last_error=error or "",
        last_attempt_at=now,
        delivered_at=now if error is None else None,
        next_attempt_at=next_at,
    )
    if delay is not None and delay <= SHORT_RETRY_SECONDS:
        _send_later(delivery.pk, delay)
    return outcome


def _send_later(delivery_id: int, delay: float) -> None:
    try:
        app.send_task(TASK, kwargs={"delivery_id": delivery_id}, countdown=delay)
    except Exception:
        # The delivery is due in the database: the sweep sends it.
        logger.exception("Could not enqueue the retry of webhook delivery %s", delivery_id)


def sweep_due_deliveries() -> int:
    """Hand every due delivery (up to a batch) to a task; return how many were sent to the
    broker. Safe on several workers at once: rows are claimed with SKIP LOCKED and handed off
    by moving their `next_attempt_at`, so no two sweeps hand out the same one."""
    now = timezone.now()
    until = now + HAND_OFF
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        WebhookDelivery.objects.filter(pk__in=due).update(next_attempt_at=until)
    return sum(enqueue(TASK, delivery_id=pk, hand_off=until.isoformat()) for pk in due)
