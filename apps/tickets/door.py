"""Inside the door: claiming and locking a request, checking a transition may run, times,
payloads, SLA clock events and the after-commit announcement. Only apps/tickets/services.py
calls these."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.actors import SYSTEM, Actor
from apps.accounts.selectors import public_name
from apps.core.door import Held, Refusals, announce_on_commit, check_transition
from apps.core.errors import Conflict, InvalidData, NotAllowed
from apps.eventlog.models import Event, EventKind
from apps.eventlog.writer import new_event, write_event
from apps.lifecycle.states import State
from apps.sla import timers
from apps.sla.models import SLAClock
from apps.tickets.approvals import approvers_text
from apps.tickets.models import ServiceRequest
from apps.tickets.rules import REASON_REQUIRED
from apps.tickets.signals import request_transitioned


class LockedRequest(Held[ServiceRequest]):
    """A request whose row the holder locked in the open transaction (`lock`, `lock_many`):
    pass it to the door to run several transitions without the door reading it again. Reads
    of the request's fields go through to it (`locked.state`, `locked.pk`)."""

    @property
    def request(self) -> ServiceRequest:
        return self.instance

    def __str__(self) -> str:
        return str(self.instance)

    def __getattr__(self, name: str) -> Any:
        # Only called for names the dataclass does not have: the request's fields and methods.
        if name.startswith("__") or name in ("instance", "memo", "_transaction"):
            raise AttributeError(name)
        return getattr(self.instance, name)


def claim(pk: int, expected_version: int) -> LockedRequest:
    """Lock the request's row if its version is the one the caller saw.

    PostgreSQL holds the row lock until commit, so a concurrent caller waits, then reads the
    new version and gets a Conflict; SQLite's transactions take the database write lock at
    BEGIN (IMMEDIATE), which serialises callers the same way.
    """
    request = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("department", "assignee")
        .filter(pk=pk)
        .first()
    )
    if request is None or request.version != expected_version:
        raise conflict(pk, expected_version)
    return LockedRequest(request)


def lock(pk: int, *related: str) -> LockedRequest:
    """The request's row, locked until the end of the caller's transaction; a caller holding
    it may run several transitions on it without the door reading it again."""
    request = (
        ServiceRequest.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)
    )
    return LockedRequest(request)


def lock_many(pks: list[int], *related: str) -> list[LockedRequest]:
    """`lock` for several requests, in id order (every locker of several rows takes them in
    this order), with their SLA clocks read in one more query."""
    requests = list(
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related(*related)
        .filter(pk__in=pks)
        .order_by("pk")
    )
    clocks = timers.clocks_by_request([request.pk for request in requests])
    return [
        LockedRequest(request, memo={"clocks": clocks.get(request.pk, [])}) for request in requests
    ]


def lock_pair(first_pk: int, second_pk: int) -> tuple[LockedRequest | None, LockedRequest | None]:
    """Two requests locked in id order (as every locker of several rows takes them), returned
    in the order asked; None for one that does not exist."""
    locks = {held.pk: held for held in lock_many(sorted({first_pk, second_pk}))}
    return locks.get(first_pk), locks.get(second_pk)


def write_row(request: ServiceRequest, fields: list[str]) -> None:
    """Save `fields` with the next version and event number, if nobody changed the row since
    the caller read it (an instance held across transactions is refused, not written over)."""
    version = request.version
    request.version += 1
    values = {name: getattr(request, name) for name in fields}
    values.update(version=request.version, last_event_seq=request.last_event_seq)
    if not ServiceRequest.objects.filter(pk=request.pk, version=version).update(**values):
        raise conflict(request.pk, version)


def clocks_of(held: LockedRequest) -> list[SLAClock]:
    """The request's SLA clocks, read once per lock: they change only under the request's row
    lock (the door, the SLA sweep), so within the transaction holding it they stay current."""
    if "clocks" not in held.memo:
        held.memo["clocks"] = timers.clocks_of(held.instance)
    clocks: list[SLAClock] = held.memo["clocks"]
    return clocks


def conflict(pk: int, expected_version: int) -> Exception:
    current = ServiceRequest.objects.filter(pk=pk).first()
    if current is None:
        return NotAllowed(_("The request does not exist."), state=None, allowed=[])
    last = (
        Event.objects.filter(request_id=pk, kind=EventKind.TRANSITION)
        .select_related("actor")
        .order_by("-seq")
        .first()
    )
    who = (
        public_name(last.actor)
        if last and last.actor
        else (last.actor_role if last else _("someone"))
    )
    what = (
        _("%(change)s at %(at)s UTC")
        % {"change": last.transition, "at": f"{last.at:%Y-%m-%d %H:%M:%S}"}
        if last
        else _("a change")
    )
    return Conflict(
        _(
            "%(reference)s was changed by %(who)s (%(what)s) since you loaded it; "
            "it is now %(state)s. Reload and try again."
        )
        % {"reference": current.reference, "who": who, "what": what, "state": current.state},
        state=current.state,
        version=current.version,
        expected_version=expected_version,
        changed_by=who,
        change=last.transition if last else None,
    )


def check_may_run(request: ServiceRequest, name: str, actor: Actor) -> Callable[..., Any]:
    """The bound transition method, if it may run now and the actor may run it."""
    return check_transition(
        request,
        name,
        actor,
        lambda: Refusals(
            not_possible=_("'%(name)s' is not possible while %(reference)s is %(state)s.")
            % {"name": name, "reference": request.reference, "state": request.state},
            forbidden=_forbidden(request, name),
        ),
    )


def _forbidden(request: ServiceRequest, name: str) -> str:
    if name in ("approve", "reject") and request.state == State.AWAITING_APPROVAL:
        return _("Only %(approvers)s may approve or reject %(reference)s.") % {
            "approvers": approvers_text(request),
            "reference": request.reference,
        }
    return _("You may not run '%(name)s' on %(reference)s.") % {
        "name": name,
        "reference": request.reference,
    }


def check_reason(name: str, reason: str) -> None:
    """A rejection is told to the customer with its reason: refuse one without."""
    if name in REASON_REQUIRED and not reason.strip():
        raise InvalidData(
            _("Say why: the customer reads the reason."), fields={"reason": _("Required.")}
        )


def time_in_state(
    request: ServiceRequest, from_state: str, at: datetime, clocks: list[SLAClock]
) -> tuple[float | None, float | None]:
    """Wall and business seconds spent in the state the transition leaves (None if it stays),
    and the request's state clock moved on."""
    if request.state == from_state:
        return None, None
    since, request.state_changed_at = request.state_changed_at, at
    return (at - since).total_seconds(), timers.business_seconds(request, since, at, clocks)


def append_clock_events(
    request: ServiceRequest, events: list[timers.ClockEvent], at: datetime
) -> None:
    """Log what the SLA clocks did, after the row that caused it (the request is locked)."""
    if events:
        Event.objects.bulk_create(clock_event_rows(request, events, at))
        request.save(update_fields=["last_event_seq"])


def clock_event_rows(
    request: ServiceRequest, events: list[timers.ClockEvent], at: datetime
) -> list[Event]:
    """The event-log rows of what the SLA clocks did, numbered after the request's last one
    (not saved)."""
    rows = []
    for clock_event in events:
        request.last_event_seq += 1
        rows.append(
            new_event(
                request,
                kind=clock_event.kind,
                actor=SYSTEM,
                at=at,
                from_state=request.state,
                payload=clock_event.payload,
            )
        )
    return rows


def event_time(request: ServiceRequest) -> datetime:
    """Now, but never before the request's previous event (clocks of several machines)."""
    now = timezone.now()
    return max(now, request.last_event_at) if request.last_event_at else now


def append_event_locked(
    request: ServiceRequest, *, kind: str, actor: Actor, payload: dict[str, Any]
) -> Event:
    """One event row for something that happened without a change of state, on a request whose
    row the caller holds locked: the next sequence number, at `event_time`."""
    at = event_time(request)
    request.last_event_seq += 1
    request.last_event_at = at
    request.save(update_fields=["last_event_seq", "last_event_at"])
    return write_event(
        request, kind=kind, actor=actor, at=at, from_state=request.state, payload=payload
    )


def field_values(request: ServiceRequest) -> dict[str, Any]:
    return {f.attname: getattr(request, f.attname) for f in request._meta.concrete_fields}


def changed_fields(request: ServiceRequest, before: dict[str, Any]) -> list[str]:
    return [
        name
        for name, value in field_values(request).items()
        if before[name] != value and name not in ("id", "version", "last_event_seq")
    ]


def transition_payload(
    reason: str, explain: dict[str, Any] | None, before: dict[str, Any], request: ServiceRequest
) -> dict[str, Any]:
    payload: dict[str, Any] = {"reason": reason} if reason else {}
    if explain:
        payload["explain"] = explain
    for name in (
        "department_id",
        "assignee_id",
        "priority",
        "escalation_level",
        "approval_department_id",
        "approval_group_id",
        "merged_into_id",
    ):
        if before[name] != getattr(request, name):
            payload[name.removesuffix("_id")] = {"from": before[name], "to": getattr(request, name)}
    return payload


def announce_transition(
    request: ServiceRequest, event: Event, previous_assignee_id: int | None = None
) -> None:
    announce_on_commit(
        request_transitioned,
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
