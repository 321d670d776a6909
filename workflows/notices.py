"""Telling customers and agents about their requests (apps/tickets/notices.py), on a worker."""

from apps.eventlog.models import Event
from apps.tickets import notices


def notify_transition(request_id: int, event_seq: int) -> int:
    return notices.notify_transition(request_id, event_seq)


def notify_message(message_id: int) -> int:
    return notices.notify_message(message_id)


def notify_resolved(request_id: int) -> int:
    """The latest resolution of the request, told (what `notifications.invite_feedback`
    messages queued before the upgrade still ask for)."""
    seq = (
        Event.objects.filter(request_id=request_id, to_state="resolved")
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return 0 if seq is None else notices.notify_transition(request_id, seq)
