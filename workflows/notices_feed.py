"""Notices whose task was lost, made from the event log: the backstop of `notify_transition`.

After commit, a transition that someone hears about enqueues `notifications.notify_transition`
(workflows/receivers.py). A broker that crashes without persistence loses the tasks queued in
it, and nothing else would tell the assignee or the customer. So the beat's
`notifications.feed_notices` reads the log past a cursor (a `WebhookFeed` row named "notices")
and runs `notify_transition` for each transition of `notices.NOTIFYING`; a notice already made
is not made again (`do_notify`'s key), so the feed and the prompt task never notify twice.

It reads only rows older than LAG, which the prompt task has normally handled, and stops at the
first younger one. A row committed more than LAG after its id was taken (a transaction open that
long) is passed over, as the webhook feed's skipped ids are after a while."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.eventlog.models import Event
from apps.notifications.models import WebhookFeed
from apps.tickets import notices

FEED = "notices"
BATCH = 500
LAG = timedelta(seconds=20)


def feed_notices() -> int:
    """Make the notices of the log rows past the cursor that nobody made; return how many
    people were notified. Safe on several workers: the one holding the cursor row reads."""
    if not WebhookFeed.objects.filter(name=FEED).exists():
        # A new desk, or one upgraded: the past is not told again.
        last = Event.objects.aggregate(last=Max("pk"))["last"] or 0
        WebhookFeed.objects.get_or_create(name=FEED, defaults={"last_event_id": last})
    told = 0
    with transaction.atomic():
        feed = WebhookFeed.objects.select_for_update(skip_locked=True).filter(name=FEED).first()
        if feed is None:
            return 0  # another worker is reading
        old_enough = timezone.now() - LAG
        rows = Event.objects.filter(pk__gt=feed.last_event_id).order_by("pk")
        last = feed.last_event_id
        for pk, request_id, seq, transition, at in rows.values_list(
            "pk", "request_id", "seq", "transition", "at"
        )[:BATCH]:
            if at >= old_enough:
                break
            if transition in notices.NOTIFYING:
                told += notices.notify_transition(request_id, seq)
            last = pk
        if last != feed.last_event_id:
            feed.last_event_id, feed.updated_at = last, timezone.now()
            feed.save()
    return told
