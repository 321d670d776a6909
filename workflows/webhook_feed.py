"""Lifecycle webhooks fed from the event log: `request.created`, `request.state_changed` and
`message.created`, one per log row, published twice at most and delivered once per subscription.

Two ways in, both idempotent (a delivery is unique per subscription and event):

- promptly, after commit: `request_transitioned` and `message_posted` enqueue
  `publish_request_event` for the one row the door has just written;
- as a backstop, the beat's `feed_from_log` reads the log past a stored cursor (`WebhookFeed`),
  so an event whose task was lost (broker down at commit) is still published.

Why an outbox read from the log rather than deliveries written inside the door's transaction:
the door stays as fast as it is (no subscription lookup on every transition), the log is
already the one ordered record of what happened, and a replay cannot create a delivery twice.
The price of reading by id: ids are taken at INSERT but become visible at COMMIT, so a row can
appear below the cursor after the cursor passed it. The feed keeps the ids it skipped over and
looks for them for `MISSING_FOR` (a rolled-back row never appears and is then forgotten).
"""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.core.config_cache import ConfigCache
from apps.eventlog.models import Event, EventKind
from apps.notifications.models import WebhookFeed, WebhookSubscription
from apps.notifications.services import Publication, do_publish_events
from apps.notifications.signing import iso_timestamp
from apps.notifications.webhook_types import LIFECYCLE_TYPES, WebhookEventType
from apps.tickets.models import Message, Visibility

FEED = "lifecycle"
SUBMIT = "submit"
BATCH = 1000
BATCHES_PER_RUN = 20
# An id skipped by the cursor is looked for this long: far longer than a door's transaction.
MISSING_FOR = timedelta(minutes=10)
MISSING_KEPT = 10_000


def _load_lifecycle_subscribed() -> frozenset[str]:
    """The lifecycle types some active subscription wants (empty: none; falsy)."""
    kinds = WebhookSubscription.objects.filter(active=True).values_list("event_kinds", flat=True)
    wanted: set[str] = set()
    for chosen in kinds:
        wanted |= LIFECYCLE_TYPES.intersection(chosen) if chosen else LIFECYCLE_TYPES
    return frozenset(wanted)


# The door's announcements ask this on every transition: read at most every few seconds.
lifecycle_subscribed = ConfigCache(_load_lifecycle_subscribed, [WebhookSubscription])


def publish_request_event(
    request_id: int, *, event_seq: int | None = None, message_id: int | None = None
) -> int:
    """Publish the lifecycle webhook of one log row of the request (by its sequence number,
    or the `message` row of a message); return how many deliveries were made (0 if it was
    published already or nobody subscribes)."""
    if not lifecycle_subscribed.get():
        return 0
    events = Event.objects.filter(request_id=request_id)
    if event_seq is not None:
        events = events.filter(seq=event_seq)
    else:
        events = events.filter(kind=EventKind.MESSAGE, payload__message=message_id)
    return len(do_publish_events(publications_for(list(_with_relations(events)))))


def _with_relations(events):
    return events.select_related("request__category", "department")


def publications_for(events: list[Event]) -> list[Publication]:
    """The webhooks these log rows make (rows of other kinds make none)."""
    relevant = [e for e in events if e.kind in (EventKind.TRANSITION, EventKind.MESSAGE)]
    if not relevant:
        return []
    priorities = _priorities_at(relevant)
    messages = Message.objects.in_bulk(
        [e.payload.get("message") for e in relevant if e.kind == EventKind.MESSAGE]
    )
    publications = []
    for event in relevant:
        common = {
            "reference": event.request.reference,
            "at": iso_timestamp(event.at),
            "seq": event.seq,
            "actor_role": event.actor_role,
            "state": event.to_state,
            "department": event.department.code if event.department else None,
            "priority": priorities.get(event.pk, event.request.priority),
        }
        if event.kind == EventKind.MESSAGE:
            message = messages.get(event.payload.get("message"))
            if message is None:
                continue
            publications.append(_message_created(event, message, common))
        elif event.transition == SUBMIT:
            publications.append(_request_created(event, common))
        else:
            publications.append(_state_changed(event, common))
    return publications


def _request_created(event: Event, common: dict) -> Publication:
    request = event.request
    data = {
        **common,
        "subject": request.subject,
        "channel": request.channel,
        "category": request.category.name if request.category else None,
    }
    return _publication(WebhookEventType.REQUEST_CREATED, event, data)


def _state_changed(event: Event, common: dict) -> Publication:
    data = {
        **common,
        "transition": event.transition,
        "from": event.from_state,
        "to": event.to_state,
    }
    return _publication(WebhookEventType.REQUEST_STATE_CHANGED, event, data)


def _message_created(event: Event, message: Message, common: dict) -> Publication:
    internal = message.visibility == Visibility.INTERNAL
    data = {
        **common,
        "message": {"id": message.pk, "visibility": message.visibility, "body": message.body},
    }
    return _publication(WebhookEventType.MESSAGE_CREATED, event, data, internal=internal)


def _publication(kind: str, event: Event, data: dict, *, internal: bool = False) -> Publication:
    return Publication(
        kind=kind, payload=data, occurred_at=event.at, event_id=event.pk, internal=internal
    )


def _priorities_at(events: list[Event]) -> dict[int, int]:
    """The request's priority once each event had happened, read from the log: the submit
    row names the first, and every transition that changed it names the new one."""
    upto = max(e.seq for e in events)
    changes: dict[int, list[tuple[int, int]]] = {}
    rows = (
        Event.objects.filter(request_id__in={e.request_id for e in events}, seq__lte=upto)
        .filter(kind=EventKind.TRANSITION)
        .filter(Q(transition=SUBMIT) | Q(payload__has_key="priority"))
        .order_by("request_id", "seq")
        .values_list("request_id", "seq", "payload")
    )
    for request_id, seq, payload in rows:
        value = payload.get("priority")
        value = value.get("to") if isinstance(value, dict) else value
        if isinstance(value, int):
            changes.setdefault(request_id, []).append((seq, value))
    priorities = {}
    for event in events:
        known = [p for seq, p in changes.get(event.request_id, []) if seq <= event.seq]
        if known:
            priorities[event.pk] = known[-1]
    return priorities


def _since(text: str) -> datetime:
    return parse_datetime(text) or datetime.min.replace(tzinfo=UTC)


def feed_from_log() -> int:
    """Publish the lifecycle webhooks of the log rows past the cursor (and of rows skipped
    before, now committed); return how many deliveries were made. Safe on several workers:
    the one holding the cursor row reads, the others return at once."""
    if not WebhookFeed.objects.filter(name=FEED).exists():
        last = Event.objects.aggregate(last=Max("pk"))["last"] or 0
        WebhookFeed.objects.get_or_create(name=FEED, defaults={"last_event_id": last})
    made = 0
    for _ in range(BATCHES_PER_RUN):
        created, more = _feed_batch()
        made += created
        if not more:
            break
    return made


def _feed_batch() -> tuple[int, bool]:
    now = timezone.now()
    with transaction.atomic():
        feed = WebhookFeed.objects.select_for_update(skip_locked=True).filter(name=FEED).first()
        if feed is None:
            return 0, False  # another worker is reading
        if not lifecycle_subscribed.get():
            # Nobody listens: move past the log without reading it.
            feed.last_event_id = Event.objects.aggregate(last=Max("pk"))["last"] or 0
            feed.missing, feed.updated_at = {}, now
            feed.save()
            return 0, False
        missing = {int(k): v for k, v in feed.missing.items()}
        events = list(
            _with_relations(
                Event.objects.filter(Q(pk__gt=feed.last_event_id) | Q(pk__in=list(missing)))
            ).order_by("pk")[:BATCH]
        )
        seen = {e.pk for e in events}
        last = max(seen | {feed.last_event_id})
        # Ids jump after a sequence was moved on: look for the last few only.
        window = range(max(feed.last_event_id + 1, last - MISSING_KEPT), last)
        for skipped in set(window) - seen:
            missing[skipped] = now.isoformat()
        horizon = now - MISSING_FOR
        missing = {k: v for k, v in missing.items() if k not in seen and _since(v) > horizon}
        created = do_publish_events(publications_for(events))
        feed.last_event_id, feed.updated_at = last, now
        feed.missing = {str(k): missing[k] for k in sorted(missing)[-MISSING_KEPT:]}
        feed.save()
    return len(created), len(events) == BATCH
