"""Writes: notifying people in the app (and by e-mail), and publishing events to webhooks."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation

from apps.accounts.selectors import language_of
from apps.core.door import announce_on_commit
from apps.notifications.models import (
    DeliveryStatus,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
)
from apps.notifications.preferences import wants_email
from apps.notifications.signals import notifications_created, webhook_deliveries_created

# A notification's text: as it is, or made in the recipient's language by calling it.
Text = str | Callable[[], str]


def _in_language(user: AbstractBaseUser, text: Text) -> str:
    if not callable(text):
        return text
    with translation.override(language_of(user)):
        return str(text())


def do_notify(  # noqa: PLR0913  keyword-only: who, what, the texts, and what it is about
    *,
    recipients: Iterable[AbstractBaseUser],
    kind: str,
    title: Text,
    body: Text,
    request=None,
    caused_by: AbstractBaseUser | None = None,
    key: str = "",
) -> list[Notification]:
    """Notify each active recipient once (a user listed twice gets one row) about `kind`.

    `title` and `body` are texts, or functions returning one that are called once per
    recipient with the recipient's language active (`accounts.selectors.language_of`), so
    each person reads the notification in their language, never the sender's. The person
    who `caused_by` the event is never told about it. With a `key` (what the notice is about,
    e.g. "event:12:7"), a recipient who has this kind for this key already gets nothing new:
    a task that runs twice notifies once.

    Writes: one `Notification` per recipient, in the caller's transaction (or its own); it is
    e-mailed too where the recipient has an address and wants the kind by e-mail
    (`preferences.wants_email`). Enqueues: after commit, `notifications_created` with every
    id, and the ids to e-mail; a rollback sends nothing.
    """
    users = {}
    for user in recipients:
        if user.is_active and user.pk not in users and user != caused_by:
            users[user.pk] = user
    if key and users:
        told = Notification.objects.filter(recipient__in=list(users), kind=kind, key=key)
        for pk in told.values_list("recipient_id", flat=True):
            users.pop(pk, None)
    if not users:
        return []
    by_email = wants_email(users.values(), kind)
    now = timezone.now()
    rows = [
        Notification(
            recipient=user,
            request=request,
            kind=kind,
            key=key,
            title=_in_language(user, title)[:200],
            body=_in_language(user, body),
            created_at=now,
            email_wanted=user.pk in by_email and bool(user.email),
        )
        for user in users.values()
    ]
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        announce_on_commit(
            notifications_created,
            sender=Notification,
            notification_ids=[n.pk for n in created],
            email_ids=[n.pk for n in created if n.email_wanted],
        )
    return created


@dataclass(frozen=True)
class Publication:
    """One event to publish: its type, its JSON data, and for events of the log, the row
    (deliveries are unique per subscription and event) and when it happened."""

    kind: str
    payload: dict[str, Any]
    occurred_at: datetime | None = None
    event_id: int | None = None
    # Only for subscriptions flagged internal (an internal note).
    internal: bool = False


def do_publish_event(*, kind: str, payload: dict) -> list[WebhookDelivery]:
    """Publish event `kind` with a JSON-serialisable `payload` to the subscriptions wanting it.

    Writes: one pending `WebhookDelivery` per active subscription that wants the kind, in the
    caller's transaction (or its own). Enqueues: after commit, `webhook_deliveries_created`.
    """
    return do_publish_events([Publication(kind=kind, payload=payload)])


def _receives(subscription: WebhookSubscription, publication: Publication) -> bool:
    if not subscription.wants(publication.kind):
        return False
    if publication.internal and not subscription.internal:
        return False
    # A subscription hears of what happens from its creation on, not of the log's past.
    return publication.event_id is None or subscription.created_at <= publication.occurred_at


def do_publish_events(publications: Iterable[Publication]) -> list[WebhookDelivery]:
    """Publish several events at once (the lifecycle events read from the log).

    Writes: one pending, due `WebhookDelivery` per active subscription receiving each (its
    types, the internal flag, its creation time), in the caller's transaction (or its own);
    an event of the log already delivered to a subscription is skipped, so publishing it again
    (a replay, the sweep after the prompt task) creates nothing. Enqueues: after commit,
    `webhook_deliveries_created` with the new ids. Returns the new deliveries."""
    publications = list(publications)
    # Subscriptions are few; filtering types in Python keeps SQLite and PostgreSQL alike.
    subscriptions = list(WebhookSubscription.objects.filter(active=True))
    now = timezone.now()
    rows = [
        WebhookDelivery(
            subscription=s,
            event_kind=p.kind,
            event_id=p.event_id,
            payload=p.payload,
            occurred_at=p.occurred_at or now,
            created_at=now,
            next_attempt_at=now,
        )
        for p in publications
        for s in subscriptions
        if _receives(s, p)
    ]
    if not rows:
        return []
    with transaction.atomic():
        if any(row.event_id for row in rows):
            # The unique (subscription, event) skips what exists; an insert that conflicts
            # returns no id, so the new rows are found by the time they were made with.
            WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
            created = list(
                WebhookDelivery.objects.filter(created_at=now, subscription__in=subscriptions)
            )
        else:
            created = WebhookDelivery.objects.bulk_create(rows)
        _announce_deliveries([d.pk for d in created])
    return created


def do_redeliver_webhooks(*, deliveries: Iterable[WebhookDelivery]) -> int:
    """Send failed or pending deliveries again (from the admin), with a fresh round of retries.

    Writes: status back to pending, due now, at the start of the retry schedule. Enqueues:
    `webhook_deliveries_created` after commit. Delivered ones are left alone. Returns how many
    were queued again.
    """
    ids = [d.pk for d in deliveries if d.status != DeliveryStatus.DELIVERED]
    if not ids:
        return 0
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk__in=ids).exclude(status=DeliveryStatus.DELIVERED).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), round_attempts=0
        )
        _announce_deliveries(ids)
    return len(ids)


def _announce_deliveries(delivery_ids: list[int]) -> None:
    announce_on_commit(
        webhook_deliveries_created,
        sender=WebhookDelivery,
        delivery_ids=delivery_ids,
    )


def do_mark_notifications_read(*, user: AbstractBaseUser, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read: those of `ids`, or all when `ids` is None.

    Writes: `read_at` of each (a notification already read keeps its time; another person's is
    never touched). Enqueues nothing. Returns how many changed; raises nothing."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
