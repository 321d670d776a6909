"""Writing a handoff step to the request's event log (through the door) and announcing it."""

from apps.accounts.actors import Actor
from apps.core.door import announce_on_commit
from apps.eventlog.models import Event, EventKind
from apps.handoffs.models import Handoff
from apps.handoffs.signals import handoff_changed
from apps.tickets import services

# Steps whose notifications the handoffs worker sends.
NOTIFIED = frozenset({"requested", "accepted", "declined", "completed", "expired", "cancelled"})


def log_step(handoff: Handoff, step: str, *, actor: Actor, **extra) -> Event:
    """Append one `handoff` event to the request's log with the payload the analytics read:
    handoff, handoff_kind, step, from_department, to_department, and `extra` (reason, target,
    due_at...). Announces `handoff_changed` after commit for the notified steps."""
    payload = {
        "handoff": handoff.pk,
        "handoff_kind": handoff.kind,
        "step": step,
        "from_department": handoff.from_department_id,
        "to_department": handoff.to_department_id,
        **{key: value for key, value in extra.items() if value not in (None, "")},
    }
    event = services.append_event(
        handoff.request, kind=EventKind.HANDOFF, actor=actor, payload=payload
    )
    if step in NOTIFIED:
        announce_on_commit(
            handoff_changed,
            sender=Handoff,
            handoff_id=handoff.pk,
            step=step,
            request_id=handoff.request_id,
        )
    return event


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None
