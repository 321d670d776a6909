"""The one door: every change of a service request, its event-log row and its after-commit work."""

from datetime import datetime
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_fsm import has_transition_perm

from apps.accounts.actors import SYSTEM, Actor, Role
from apps.accounts.models import Customer
from apps.core.errors import Conflict, Forbidden, InvalidData, NotAllowed
from apps.quality.events import write_event
from apps.quality.models import Event, EventKind
from apps.sla import timers
from apps.tickets.hooks import run_transition_hooks
from apps.tickets.models import Category, Message, ServiceRequest, Visibility
from apps.tickets.priority import Level, Priority, priority_for
from apps.tickets.rules import can_reach
from apps.tickets.signals import message_posted, request_transitioned
from apps.tickets.states import SUBMIT, State
from apps.tickets.transition_data import clean_transition_data

_TRANSITION_NAMES = frozenset(
    t.name for t in ServiceRequest._meta.get_field("state").get_all_transitions(ServiceRequest)
)


def transition(
    service_request: ServiceRequest,
    name: str,
    *,
    actor: Actor,
    expected_version: int | None = None,
    reason: str = "",
    explain: dict | None = None,
    **data,
) -> ServiceRequest:
    """Run transition `name` on the request as `actor`, and return the request as saved.

    `reason` (a person's words) and `explain` (an automated decision: rule, strategy,
    candidates) go into the event's payload.

    Writes: the request (version and event sequence bumped, fields the transition changes) and
    one event-log row, in one transaction. Enqueues: `request_transitioned` after commit.
    Raises: Conflict if the request changed since `expected_version` (default: the version of
    the instance passed in); NotAllowed if the transition is unknown or not possible in the
    current state; Forbidden if the actor may not run it (customers run transitions without
    data); InvalidData for bad `data`.
    """
    if name not in _TRANSITION_NAMES:
        raise NotAllowed(
            f"There is no transition '{name}'.",
            state=service_request.state,
            allowed=service_request.transitions_for(actor),
        )
    expected = service_request.version if expected_version is None else expected_version
    with transaction.atomic():
        request = _claim(service_request.pk, expected)
        method = getattr(request, name)
        _check_may_run(request, name, method, actor)
        if data and actor.role == Role.CUSTOMER:
            # Priority and ownership are the desk's call; customers escalate and explain why.
            raise Forbidden(
                f"Customers run '{name}' without data.",
                state=request.state,
                allowed=request.transitions_for(actor),
            )
        cleaned = clean_transition_data(request, name, method, data)
        from_state, before = request.state, _field_values(request)
        at = _event_time(request)
        method(at=at, **cleaned)
        clocks = timers.clocks_of(request)
        wall, business = _time_in_state(request, from_state, at, clocks)
        request.last_event_at = at
        request.save(update_fields=_changed_fields(request, before))
        event = write_event(
            request,
            kind=EventKind.TRANSITION,
            actor=actor,
            at=at,
            transition=name,
            from_state=from_state,
            wall_seconds=wall,
            business_seconds=business,
            payload=_transition_payload(reason, explain, before, request),
        )
        _append_clock_events(
            request, timers.on_transition(request, name, from_state, before, at, clocks), at
        )
        run_transition_hooks(request, name, from_state, at)
        _announce_transition(request, event, before["assignee_id"])
    return request


def do_submit_request(
    *,
    actor: Actor,
    customer: Customer,
    subject: str,
    description: str = "",
    channel: str = "api",
    category: Category | None = None,
    impact: str = Level.MEDIUM,
    urgency: str = Level.MEDIUM,
    priority: int | None = None,
    attachments: list[dict] | None = None,
) -> ServiceRequest:
    """Create a request in `new` for `customer`, as the customer or as an agent on their behalf.

    Priority follows impact and urgency unless an agent sets it. Writes: the request and its
    `submit` event (from "" to `new`). Enqueues: `request_transitioned` (transition `submit`)
    after commit. Raises: Forbidden if a customer submits for someone else or sets a priority,
    or the actor is the bot; InvalidData for a bad impact, urgency or priority.
    """
    if actor.role == Role.CUSTOMER and actor.customer_id != customer.pk:
        raise Forbidden("Customers submit requests for themselves only.")
    if actor.role == Role.BOT:
        raise Forbidden("The bot does not submit requests.")
    if priority is not None and actor.role != Role.AGENT:
        raise Forbidden("Only agents set a priority; give impact and urgency instead.")
    bad = {
        f: "One of high, medium, low."
        for f, v in (("impact", impact), ("urgency", urgency))
        if v not in Level.values
    }
    if bad:
        raise InvalidData("Impact and urgency are high, medium or low.", fields=bad)
    if priority is not None and priority not in Priority.values:
        raise InvalidData("Unknown priority.", fields={"priority": f"One of {Priority.values}."})
    at = timezone.now()
    with transaction.atomic():
        request = ServiceRequest.objects.create(
            customer=customer,
            subject=subject,
            description=description,
            channel=channel,
            category=category,
            impact=impact,
            urgency=urgency,
            priority=priority or priority_for(impact, urgency),
            priority_overridden=priority is not None,
            attachments=attachments or [],
            created_at=at,
            state_changed_at=at,
            last_event_at=at,
            last_event_seq=1,
        )
        event = write_event(
            request,
            kind=EventKind.TRANSITION,
            actor=actor,
            at=at,
            transition=SUBMIT,
            from_state="",
            payload={"channel": channel, "priority": request.priority},
        )
        _append_clock_events(request, timers.start_clocks(request, at), at)
        _announce_transition(request, event)
    return request


def do_post_message(
    service_request: ServiceRequest, *, actor: Actor, body: str, internal: bool = False
) -> Message:
    """Add a public reply or an internal note to the request.

    Writes: the message and a `message` event; the first public reply of an agent sets
    `first_response_at`; a customer's reply to a request pending on them also runs
    `customer_reply` through `transition`. Enqueues: `message_posted` after commit.
    Raises: Forbidden if the actor cannot reach the request or a customer writes an internal
    note; InvalidData for an empty body; NotAllowed on a closed or cancelled request.
    """
    if not can_reach(service_request, actor) or actor.role == Role.SYSTEM:
        raise Forbidden("You cannot write on this request.")
    if internal and actor.role == Role.CUSTOMER:
        raise Forbidden("Customers cannot write internal notes.")
    if not body or not body.strip():
        raise InvalidData("A message needs a text.", fields={"body": "Required."})
    visibility = Visibility.INTERNAL if internal else Visibility.PUBLIC
    with transaction.atomic():
        request = _lock(service_request.pk)
        if request.state in (State.CLOSED, State.CANCELLED):
            raise NotAllowed(
                f"{request.reference} is {request.state}: start a new request.",
                state=request.state,
                allowed=[],
            )
        at = _event_time(request)
        message = Message.objects.create(
            request=request,
            author=actor.user,
            author_role=actor.role,
            visibility=visibility,
            body=body,
            created_at=at,
        )
        if (
            actor.role == Role.AGENT
            and visibility == Visibility.PUBLIC
            and request.first_response_at is None
        ):
            request.first_response_at = at
        request.last_event_seq += 1
        request.last_event_at = at
        request.save(update_fields=["first_response_at", "last_event_seq", "last_event_at"])
        write_event(
            request,
            kind=EventKind.MESSAGE,
            actor=actor,
            at=at,
            from_state=request.state,
            payload={"message": message.pk, "visibility": visibility},
        )
        _append_clock_events(
            request,
            timers.on_message(
                request,
                author_role=actor.role,
                public=visibility == Visibility.PUBLIC,
                at=at,
                clocks=timers.clocks_of(request),
            ),
            at,
        )
        transaction.on_commit(
            partial(
                message_posted.send_robust,
                sender=Message,
                request_id=request.pk,
                message_id=message.pk,
                visibility=visibility,
                author_role=actor.role,
            )
        )
        if actor.role == Role.CUSTOMER and request.state == State.PENDING_CUSTOMER:
            transition(request, "customer_reply", actor=actor)
    return message


def append_event(
    service_request: ServiceRequest, *, kind: str, actor: Actor, payload: dict
) -> Event:
    """Record something that happened to the request without changing its state (an SLA
    warning, a routing decision, a handoff step). Writes: one event row. Raises nothing."""
    with transaction.atomic():
        request = _lock(service_request.pk)
        at = _event_time(request)
        request.last_event_seq += 1
        request.last_event_at = at
        request.save(update_fields=["last_event_seq", "last_event_at"])
        return write_event(
            request, kind=kind, actor=actor, at=at, from_state=request.state, payload=payload
        )


# --- inside the door ---------------------------------------------------------------------------


def _claim(pk: int, expected_version: int) -> ServiceRequest:
    """Bump version and event sequence if the version is the one the caller saw.

    The UPDATE takes the row lock (PostgreSQL: until commit; SQLite: the database write
    lock), so a concurrent caller waits, then finds the new version and gets a Conflict.
    """
    claimed = ServiceRequest.objects.filter(pk=pk, version=expected_version).update(
        version=F("version") + 1, last_event_seq=F("last_event_seq") + 1
    )
    if not claimed:
        raise _conflict(pk, expected_version)
    return ServiceRequest.objects.select_related("department", "assignee").get(pk=pk)


def _lock(pk: int) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().get(pk=pk)


def _conflict(pk: int, expected_version: int) -> Exception:
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


def _check_may_run(request: ServiceRequest, name: str, method, actor: Actor) -> None:
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


def _time_in_state(request, from_state: str, at: datetime, clocks) -> tuple:
    """Wall and business seconds spent in the state the transition leaves (None if it stays),
    and the request's state clock moved on."""
    if request.state == from_state:
        return None, None
    since, request.state_changed_at = request.state_changed_at, at
    return (at - since).total_seconds(), timers.business_seconds(request, since, at, clocks)


def _append_clock_events(request, events, at: datetime) -> None:
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


def _event_time(request: ServiceRequest) -> datetime:
    """Now, but never before the request's previous event (clocks of several machines)."""
    now = timezone.now()
    return max(now, request.last_event_at) if request.last_event_at else now


def _field_values(request: ServiceRequest) -> dict:
    return {f.attname: getattr(request, f.attname) for f in request._meta.concrete_fields}


def _changed_fields(request: ServiceRequest, before: dict) -> list[str]:
    return [
        name
        for name, value in _field_values(request).items()
        if before[name] != value and name not in ("id", "version", "last_event_seq")
    ]


def _transition_payload(reason: str, explain: dict | None, before: dict, request) -> dict:
    payload = {"reason": reason} if reason else {}
    if explain:
        payload["explain"] = explain
    for name in ("department_id", "assignee_id", "priority", "escalation_level"):
        if before[name] != getattr(request, name):
            payload[name.removesuffix("_id")] = {"from": before[name], "to": getattr(request, name)}
    return payload


def _announce_transition(
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
