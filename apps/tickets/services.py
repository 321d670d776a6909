"""The one door: every change of a service request, its event-log row and its after-commit work."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.actors import Actor, Role
from apps.accounts.models import Customer
from apps.core.door import announce_on_commit
from apps.core.errors import Forbidden, InvalidData, NotAllowed
from apps.core.insert_together import insert_together
from apps.core.prefetch import set_prefetched
from apps.eventlog.models import Event, EventKind
from apps.eventlog.writer import new_event, write_event
from apps.lifecycle.priority import Level, Priority, priority_for
from apps.lifecycle.states import SUBMIT, State
from apps.sla import timers
from apps.tickets import door
from apps.tickets.door import LockedRequest
from apps.tickets.hooks import run_transition_guards, run_transition_hooks
from apps.tickets.models import Category, Message, ServiceRequest, Visibility
from apps.tickets.reply_reading import says_solved
from apps.tickets.rules import can_reach
from apps.tickets.signals import message_posted
from apps.tickets.transition_data import TransitionData, clean_transition_data

_TRANSITION_NAMES = frozenset(
    t.name for t in ServiceRequest._meta.get_field("state").get_all_transitions(ServiceRequest)
)
TRANSITION_NAMES = _TRANSITION_NAMES  # every transition a request has, in any state


def transition(  # noqa: PLR0913  keyword-only after the name: one per part of the logged change
    service_request: ServiceRequest | LockedRequest,
    name: str,
    *,
    actor: Actor,
    expected_version: int | None = None,
    reason: str = "",
    explain: dict[str, Any] | None = None,
    data: TransitionData | None = None,
) -> ServiceRequest:
    """Run transition `name` on the request as `actor`, and return the request as saved.

    `data` is what the transition takes, typed (`transition_data.RouteData` and its kin; input
    from a form or an API body becomes one through `transition_data.transition_data`). `reason`
    (a person's words) and `explain` (an automated decision: rule, strategy, candidates) go
    into the event's payload.

    A caller that locked the request with `lock_request()` in its own transaction passes the
    `LockedRequest` it got: the door runs on it without reading it again (the workers route and
    assign in one transaction this way); an error then rolls back the caller's whole
    transaction. A lock from an earlier transaction counts for nothing.

    Writes: the request (version and event sequence bumped, fields the transition changes) and
    one event-log row, in one transaction. Enqueues: `request_transitioned` after commit.
    Raises: Conflict if the request changed since `expected_version` (default: the version of
    the instance passed in); NotAllowed if the transition is unknown or not possible in the
    current state; Forbidden if the actor may not run it (customers run transitions without
    data); InvalidData for bad `data`, or a rejection without a reason (the customer reads
    it).
    """
    if name not in _TRANSITION_NAMES:
        raise NotAllowed(
            _("There is no transition '%(name)s'.") % {"name": name},
            state=service_request.state,
            allowed=service_request.transitions_for(actor),
        )
    expected = service_request.version if expected_version is None else expected_version
    # The caller's lock, if it still holds in this transaction at the version expected.
    held = (
        service_request
        if isinstance(service_request, LockedRequest)
        and service_request.is_current()
        and expected == service_request.version
        else None
    )
    with transaction.atomic(savepoint=held is None):
        locked = held if held is not None else door.claim(service_request.pk, expected)
        request = locked.instance
        method = door.check_may_run(request, name, actor)
        door.check_reason(name, reason)
        if data is not None and actor.role == Role.CUSTOMER:
            # Priority and ownership are the desk's call; customers escalate and explain why.
            raise Forbidden(
                _("Customers run '%(name)s' without data.") % {"name": name},
                state=request.state,
                allowed=request.transitions_for(actor),
            )
        cleaned = clean_transition_data(request, name, data)
        run_transition_guards(request, name, actor)
        from_state, before = request.state, door.field_values(request)
        at = door.event_time(request)
        method(at=at, **cleaned)
        clocks = door.clocks_of(locked)
        wall, business = door.time_in_state(request, from_state, at, clocks)
        request.last_event_at = at
        request.last_event_seq += 1
        door.write_row(request, door.changed_fields(request, before))
        event = write_event(
            request,
            kind=EventKind.TRANSITION,
            actor=actor,
            at=at,
            transition=name,
            from_state=from_state,
            wall_seconds=wall,
            business_seconds=business,
            payload=door.transition_payload(reason, explain, before, request),
        )
        door.append_clock_events(
            request,
            timers.on_transition(request, name, from_state, before, at=at, clocks=clocks),
            at,
        )
        run_transition_hooks(request, name, from_state, at)
        door.announce_transition(request, event, before["assignee_id"])
    return request


def lock_request(pk: int, *related: str) -> LockedRequest | None:
    """The request (None if there is none), row-locked until the caller's transaction ends,
    with `related` joined; pass it to `transition()` to run several transitions in that one
    transaction."""
    try:
        return door.lock(pk, *related)
    except ServiceRequest.DoesNotExist:
        return None


def lock_requests(pks: list[int], *related: str) -> list[LockedRequest]:
    """`lock_request` for several requests at once (those that exist, in id order), their SLA
    clocks read with them: the routing worker routes and assigns a batch in one transaction."""
    return door.lock_many(pks, *related)


def do_submit_request(  # noqa: PLR0913  keyword-only, one per field a submitter sets
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
    declared_attachments: list[dict[str, Any]] | None = None,
) -> ServiceRequest:
    """Create a request in `new` for `customer`, as the customer or as an agent on their behalf.

    Priority follows impact and urgency unless an agent sets it. Writes: the request and its
    `submit` event (from "" to `new`). Enqueues: `request_transitioned` (transition `submit`)
    after commit. Raises: Forbidden if a customer submits for someone else or sets a priority,
    or the actor is the bot; InvalidData for a bad impact, urgency or priority.
    `declared_attachments` is the legacy metadata list (no files); files are attached with
    `attachments.do_submit_request_with_files`.
    """
    if actor.role == Role.CUSTOMER and actor.customer_id != customer.pk:
        raise Forbidden(_("Customers submit requests for themselves only."))
    if actor.role == Role.BOT:
        raise Forbidden(_("The bot does not submit requests."))
    if priority is not None and actor.role != Role.AGENT:
        raise Forbidden(_("Only agents set a priority; give impact and urgency instead."))
    bad = {
        f: "One of high, medium, low."
        for f, v in (("impact", impact), ("urgency", urgency))
        if v not in Level.values
    }
    if bad:
        raise InvalidData(_("Impact and urgency are high, medium or low."), fields=bad)
    if priority is not None and priority not in Priority.values:
        raise InvalidData(
            _("Unknown priority."),
            fields={"priority": _("One of %(values)s.") % {"values": Priority.values}},
        )
    at = timezone.now()
    request = ServiceRequest(
        customer=customer,
        subject=subject,
        description=description,
        channel=channel,
        category=category,
        impact=impact,
        urgency=urgency,
        priority=priority or priority_for(impact, urgency),
        priority_overridden=priority is not None,
        declared_attachments=declared_attachments or [],
        created_at=at,
        state_changed_at=at,
        last_event_at=at,
        last_event_seq=1,
    )
    event = new_event(
        request,
        kind=EventKind.TRANSITION,
        actor=actor,
        at=at,
        transition=SUBMIT,
        from_state="",
        payload={"channel": channel, "priority": request.priority},
    )
    clocks, clock_events = timers.start_clocks(request, at)
    events = [event, *door.clock_event_rows(request, clock_events, at)]
    # One statement on PostgreSQL (apps/core/insert_together.py): a create waits on one round
    # trip to the database instead of five.
    insert_together(request, [events, clocks])
    door.announce_transition(request, event)
    # The new request's clocks are all it has: whoever renders it need not read them back.
    set_prefetched(request, "sla_clocks", clocks)
    return request


def do_post_message(
    service_request: ServiceRequest, *, actor: Actor, body: str, internal: bool = False
) -> Message:
    """Add a public reply or an internal note to the request.

    Writes: the message and a `message` event; the first public reply of an agent sets
    `first_response_at`; a customer's reply to a request pending on them also runs
    `customer_reply` through `transition`, and one to a bot answer `accept_answer` when it
    says it is solved, `decline_answer` otherwise. Enqueues: `message_posted` after commit.
    Raises: Forbidden if the actor cannot reach the request or a customer writes an internal
    note; InvalidData for an empty body; NotAllowed on a closed or cancelled request.
    """
    if not can_reach(service_request, actor) or actor.role == Role.SYSTEM:
        raise Forbidden(_("You cannot write on this request."))
    if internal and actor.role == Role.CUSTOMER:
        raise Forbidden(_("Customers cannot write internal notes."))
    if not body or not body.strip():
        raise InvalidData(_("A message needs a text."), fields={"body": _("Required.")})
    visibility = Visibility.INTERNAL if internal else Visibility.PUBLIC
    with transaction.atomic():
        locked = door.lock(service_request.pk)
        request = locked.instance
        if request.state in (State.CLOSED, State.CANCELLED):
            raise NotAllowed(
                _("%(reference)s is %(state)s: start a new request.")
                % {"reference": request.reference, "state": request.state},
                state=request.state,
                allowed=[],
            )
        at = door.event_time(request)
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
        door.append_clock_events(
            request,
            timers.on_message(
                request,
                author_role=actor.role,
                public=visibility == Visibility.PUBLIC,
                at=at,
                clocks=door.clocks_of(locked),
            ),
            at,
        )
        announce_on_commit(
            message_posted,
            sender=Message,
            request_id=request.pk,
            message_id=message.pk,
            visibility=visibility,
            author_role=actor.role,
        )
        if actor.role == Role.CUSTOMER and visibility == Visibility.PUBLIC:
            _customer_replied(locked, request.state, actor, body)
    return message


def _customer_replied(locked: LockedRequest, state: str, actor: Actor, body: str) -> None:
    """A reply to a request pending on the customer resumes it; a reply to the bot's answer
    is a decline unless it says it is solved (reply_reading.py)."""
    if state == State.PENDING_CUSTOMER:
        transition(locked, "customer_reply", actor=actor)
    elif state == State.BOT_ANSWERED:
        accepted = says_solved(body)
        transition(
            locked,
            "accept_answer" if accepted else "decline_answer",
            actor=actor,
            reason="the customer replied" + (" that it is solved" if accepted else ""),
        )


def append_event(
    service_request: ServiceRequest, *, kind: str, actor: Actor, payload: dict[str, Any]
) -> Event:
    """Record something that happened to the request without changing its state (an SLA
    warning, a routing decision, a handoff step). Writes: one event row. Raises nothing."""
    with transaction.atomic():
        request = door.lock(service_request.pk).instance
        return door.append_event_locked(request, kind=kind, actor=actor, payload=payload)
