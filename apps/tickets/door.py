"""Inside the door: claiming and locking a request, checking a transition may run, times,
payloads, SLA clock events and the after-commit announcement. Only apps/tickets/services.py
calls these."""

from datetime import datetime
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_fsm import has_transition_perm

from apps.accounts.actors import SYSTEM, Actor
from apps.core.errors import Conflict, Forbidden, NotAllowed
from apps.quality.events import write_event
from apps.quality.models import Event, EventKind
from apps.sla import timers
from apps.tickets.models import ServiceRequest
from apps.tickets.signals import request_transitioned


def claim(pk: int, expected_version: int) -> ServiceRequest:
    """Bump version and event sequence if the version is the one the caller saw.

    The UPDATE takes the row lock (PostgreSQL: until commit; SQLite: the database write
    lock), so a concurrent caller waits, then finds the new version and gets a Conflict.
    """
    claimed = ServiceRequest.objects.filter(pk=pk, version=expected_version).update(
        version=F("version") + 1, last_event_seq=F("last_event_seq") + 1
    )
    if not claimed:
        raise conflict(pk, expected_version)
    return ServiceRequest.objects.select_related("department", "assignee").get(pk=pk)


def lock(pk: int) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().get(pk=pk)


def conflict(pk: int, expected_version: int) -> Exception:
    current = ServiceRequest.objects.filter(pk=pk).first()
    if current is None:
        return NotAllowed("The request does not exist.", state=None, allowed=[])
    last = (
        Event.objects.filter(request_id=pk, kind=EventKind.TRANSITION)
        .select_related("actor")
        .order_by("-seq")
        .first()
    )
    who = (
        last.actor.get_username()
        if last and last.actor
        else (last.actor_role if last else "someone")
    )
    what = f"{last.transition} at {last.at:%Y-%m-%d %H:%M:%S} UTC" if last else "a change"
    return Conflict(
        f"{current.reference} was changed by {who} ({what}) since you loaded it; "
        f"it is now {current.state}. Reload and try again.",
        state=current.state,
        version=current.version,
        expected_version=expected_version,
        changed_by=who,
        change=last.transition if last else None,
    )


def check_may_run(request: ServiceRequest, name: str, method, actor: Actor) -> None:
    meta = method._django_fsm
    if not (meta.has_transition(request.state) and meta.conditions_met(request, request.state)):
        raise NotAllowed(
            f"'{name}' is not possible while {request.reference} is {request.state}.",
            state=request.state,
            allowed=request.transitions_for(actor),
        )
    if not has_transition_perm(method, actor):
        raise Forbidden(
            f"You may not run '{name}' on {request.reference}.",
            state=request.state,
            allowed=request.transitions_for(actor),
        )


def time_in_state(request, from_state: str, at: datetime, clocks) -> tuple:
    """Wall and business seconds spent in the state the transition leaves (None if it stays),
    and the request's state clock moved on."""
    if request.state == from_state:
        return None, None
    since, request.state_changed_at = request.state_changed_at, at
    return (at - since).total_seconds(), timers.business_seconds(request, since, at, clocks)


def append_clock_events(request, events, at: datetime) -> None:
    """Log what the SLA clocks did, after the row that caused it (the request is locked)."""
    for clock_event in events:
        request.last_event_seq += 1
        write_event(
            request,
            kind=clock_event.kind,
            actor=SYSTEM,
            at=at,
            from_state=request.state,
            payload=clock_event.payload,
        )
    if events:
        request.save(update_fields=["last_event_seq"])


def event_time(request: ServiceRequest) -> datetime:
    """Now, but never before the request's previous event (clocks of several machines)."""
    now = timezone.now()
    return max(now, request.last_event_at) if request.last_event_at else now


def field_values(request: ServiceRequest) -> dict:
    return {f.attname: getattr(request, f.attname) for f in request._meta.concrete_fields}


def changed_fields(request: ServiceRequest, before: dict) -> list[str]:
    return [
        name
        for name, value in field_values(request).items()
        if before[name] != value and name not in ("id", "version", "last_event_seq")
    ]


def transition_payload(reason: str, explain: dict | None, before: dict, request) -> dict:
    payload = {"reason": reason} if reason else {}
    if explain:
        payload["explain"] = explain
    for name in ("department_id", "assignee_id", "priority", "escalation_level"):
        if before[name] != getattr(request, name):
            payload[name.removesuffix("_id")] = {"from": before[name], "to": getattr(request, name)}
    return payload


def announce_transition(
    request: ServiceRequest, event: Event, previous_assignee_id: int | None = None
) -> None:
    transaction.on_commit(
        partial(
            request_transitioned.send_robust,
            sender=ServiceRequest,
            request_id=request.pk,
            transition=event.transition,
            from_state=event.from_state,
            to_state=event.to_state,
            actor_role=event.actor_role,
            event_seq=event.seq,
            department_id=event.department_id,
            previous_assignee_id=previous_assignee_id,
        )
    )
