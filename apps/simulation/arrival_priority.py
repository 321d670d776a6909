"""The priority a request arrived with, read from the log.

A request's priority can change while it is open: an escalation may raise it (apps/tickets/
models.py `escalate`), an agent may set it. Such a request was not worked as urgent from the
start: it waited in the queue as what it was, and was raised because it ran late. The model
keys everything by priority (the mix each category arrives with, the path, the step times, the
pickups, the targets), so it takes the priority each request had when it arrived: the one its
submission recorded, with the changes made before it first left `new` (a routing rule's, as the
desk's own triage); later changes are part of what happened to a request of that priority. A
request whose submission recorded none (an older or imported log) keeps its current priority.
"""

from datetime import datetime

from django.db.models import Q

from apps.eventlog.models import Event, EventKind
from apps.lifecycle.states import SUBMIT, State


def arrival_priorities(start: datetime, end: datetime) -> dict[int, str]:
    """Request id -> the priority it arrived with (as a string, as the model keys it), for the
    requests submitted in [start, end) whose submission event recorded one."""
    rows = (
        Event.objects.filter(
            Q(transition=SUBMIT) | Q(payload__has_key="priority") | Q(from_state=State.NEW),
            kind=EventKind.TRANSITION,
            request__created_at__gte=start,
            request__created_at__lt=end,
        )
        .order_by("request_id", "seq")
        .values_list("request_id", "transition", "from_state", "to_state", "payload")
    )
    found: dict[int, str] = {}
    arrived: set[int] = set()
    for request_id, name, from_state, to_state, payload in rows.iterator(chunk_size=5000):
        if request_id in arrived:
            continue
        priority = (payload or {}).get("priority")
        if name == SUBMIT and isinstance(priority, int):
            found[request_id] = str(priority)
        elif request_id in found and isinstance(priority, dict) and "to" in priority:
            found[request_id] = str(priority["to"])
        if from_state == State.NEW and to_state != State.NEW:
            arrived.add(request_id)
    return found
