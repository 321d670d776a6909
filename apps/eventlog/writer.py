"""Writing event-log rows; called only by the doors that own the change they record."""

from datetime import datetime
from typing import Any

from apps.accounts.actors import Actor
from apps.eventlog.models import Event


def write_event(request: Any, **fields: Any) -> Event:
    """Append the row numbered `request.last_event_seq`, which the caller has just allocated
    under the request's row lock, with the request's state, department and assignee as they
    are now (`fields`: those of `new_event`)."""
    event = new_event(request, **fields)
    event.save()
    return event


def new_event(  # noqa: PLR0913  keyword-only, one per column of the row it builds
    request: Any,
    *,
    kind: str,
    actor: Actor,
    at: datetime,
    transition: str = "",
    from_state: str,
    wall_seconds: float | None = None,
    business_seconds: float | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """The row `write_event` appends, not saved yet: for a door that inserts it together with
    a new request (apps/core/insert_together.py). `request` is a tickets.ServiceRequest, a
    layer above this one."""
    return Event(
        request=request,
        seq=request.last_event_seq,
        kind=kind,
        transition=transition,
        from_state=from_state,
        to_state=request.state,
        actor=actor.user,
        actor_role=actor.role,
        department_id=request.department_id,
        assignee_id=request.assignee_id,
        at=at,
        wall_seconds=wall_seconds,
        business_seconds=business_seconds,
        payload=payload or {},
    )
