"""SLA clock bookkeeping run inside the door: which clocks start, pause, resume, stop or change
policy when a request is submitted, moves or gets a message. Returns the events to log."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from apps.core.config_cache import ConfigCache
from apps.lifecycle.states import State
from apps.sla.business_time import Schedule, business_seconds_between
from apps.sla.models import (
    BusinessCalendar,
    ClockKind,
    ClockState,
    EscalationPolicy,
    EscalationStep,
    Holiday,
    SLAClock,
    SLAPolicy,
    WorkingHours,
)

ALWAYS_OPEN = Schedule(tz=ZoneInfo("UTC"), weekly=((),) * 7, always_open=True)
# The resolution clock waits while the desk waits on someone else; the response clocks wait for
# an approval only (the desk cannot start on the request before it; a customer's silence does
# not excuse a late answer).
PAUSING = frozenset({State.PENDING_CUSTOMER, State.AWAITING_APPROVAL})
PAUSING_RESPONSE = frozenset({State.AWAITING_APPROVAL})
STOPPING = frozenset({State.RESOLVED, State.CLOSED, State.CANCELLED})
# Fields whose change can make another policy match.
MATCHED_ON = ("priority", "category_id", "department_id", "channel")


@dataclass(frozen=True)
class ClockEvent:
    """An event-log row for the door to append: kind and payload."""

    kind: str
    payload: dict


def schedule_of(policy: SLAPolicy | None) -> Schedule:
    if policy is None or policy.calendar_id is None:
        return ALWAYS_OPEN
    return policy.calendar.schedule()


def _policy_rows():
    return (
        SLAPolicy.objects.order_by("order", "pk")
        .select_related("calendar", "escalation_policy")
        .prefetch_related(
            "categories",
            "departments",
            "escalation_policy__steps",
            "calendar__hours",
            "calendar__holidays",
        )
    )


def _load_policies() -> list[SLAPolicy]:
    return list(_policy_rows().filter(active=True))


_POLICIES = ConfigCache(
    _load_policies,
    [SLAPolicy, EscalationStep, EscalationPolicy, BusinessCalendar, WorkingHours, Holiday],
)


def match_policy(request) -> SLAPolicy | None:
    """The first active policy, in order, whose conditions the request meets."""
    return next((p for p in _POLICIES.get() if p.matches(request)), None)


def _conditioned_on() -> set[str]:
    """The request fields some active policy's conditions look at."""
    used = set()
    for policy in _POLICIES.get():
        for field, values in (
            ("priority", policy.priorities),
            ("channel", policy.channels),
            ("category_id", policy.categories.all()),
            ("department_id", policy.departments.all()),
        ):
            if values:
                used.add(field)
    return used


def clocks_of(request) -> list[SLAClock]:
    """The request's clocks, each with its policy (calendar, steps) from the policy cache;
    a policy no longer active is read from the database."""
    return clocks_by_request([request.pk]).get(request.pk, [])


def clocks_by_request(request_ids: list[int]) -> dict[int, list[SLAClock]]:
    """`clocks_of` for several requests in one query."""
    clocks = list(SLAClock.objects.filter(request_id__in=request_ids).order_by("pk"))
    policies = {policy.pk: policy for policy in _POLICIES.get()}
    retired = {clock.policy_id for clock in clocks} - policies.keys()
    if retired:
        policies.update({p.pk: p for p in _policy_rows().filter(pk__in=retired)})
    by_request: dict[int, list[SLAClock]] = {}
    for clock in clocks:
        clock.policy = policies[clock.policy_id]
        by_request.setdefault(clock.request_id, []).append(clock)
    return by_request


def business_seconds(request, start: datetime, end: datetime, clocks=None) -> float:
    """Business time between two instants on the calendar of the request's SLA policy."""
    clocks = clocks_of(request) if clocks is None else clocks
    return business_seconds_between(schedule_of(clocks[0].policy if clocks else None), start, end)


def start_clocks(request, at: datetime) -> tuple[list[SLAClock], list[ClockEvent]]:
    """On submit: match a policy and start its first-response and resolution clocks, not saved
    (the door inserts them with the new request), each with its policy; returns them, in the
    order of their kind, and their events."""
    policy = match_policy(request)
    if policy is None:
        return [], []
    schedule, events, clocks = schedule_of(policy), [], []
    for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION):
        target = policy.target_seconds(kind)
        if target:
            clock = SLAClock(request=request, kind=kind, policy=policy, target_seconds=target)
            clock.start(schedule, at)
            clocks.append(clock)
            events.append(_event(clock, "start", schedule, at))
    return clocks, events


def on_transition(
    request, name: str, from_state: str, before: dict, *, at: datetime, clocks: list[SLAClock]
) -> list[ClockEvent]:
    """Pause, resume, stop or re-match the request's clocks after a transition."""
    events: list[ClockEvent] = []
    changed = {f for f in MATCHED_ON if before.get(f) != getattr(request, f)}
    if changed & _conditioned_on():
        events += _rematch(request, clocks, at)
    to_state = request.state
    for clock in clocks:
        schedule = schedule_of(clock.policy)
        pausing = PAUSING if clock.kind == ClockKind.RESOLUTION else PAUSING_RESPONSE
        if to_state in STOPPING and clock.state != ClockState.STOPPED:
            events += _halt(clock, schedule, at, ClockState.STOPPED, reason=to_state)
        elif name == "reopen" and clock.kind == ClockKind.RESOLUTION:
            if clock.state == ClockState.STOPPED:
                events += _resume(clock, schedule, at, reason="reopen")
        elif to_state in pausing and clock.state == ClockState.RUNNING:
            events += _halt(clock, schedule, at, ClockState.PAUSED, reason=to_state)
        elif from_state in pausing and to_state not in pausing and clock.state == ClockState.PAUSED:
            events += _resume(clock, schedule, at, reason=name)
    return events


def on_message(
    request, *, author_role: str, public: bool, at: datetime, clocks: list[SLAClock]
) -> list[ClockEvent]:
    """A public agent reply meets the first (and next) response; a customer's reply after the
    first response starts the next-response clock where the policy sets one."""
    if not public:
        return []
    by_kind = {clock.kind: clock for clock in clocks}
    events: list[ClockEvent] = []
    if author_role == "agent":
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE):
            clock = by_kind.get(kind)
            if clock and clock.state != ClockState.STOPPED:
                events += _halt(
                    clock, schedule_of(clock.policy), at, ClockState.STOPPED, reason="agent reply"
                )
    elif author_role == "customer":
        events += _start_next_response(request, by_kind, at)
    return events


# --- steps -------------------------------------------------------------------------------------


def _start_next_response(request, by_kind: dict, at: datetime) -> list[ClockEvent]:
    first = by_kind.get(ClockKind.FIRST_RESPONSE)
    if first is None or first.state != ClockState.STOPPED or request.state in STOPPING:
        return []
    target = first.policy.target_seconds(ClockKind.NEXT_RESPONSE)
    if not target:
        return []
    clock = by_kind.get(ClockKind.NEXT_RESPONSE)
    if clock is not None and clock.state != ClockState.STOPPED:
        return []  # already waiting for our answer to an earlier reply
    clock = clock or SLAClock(
        request=request, kind=ClockKind.NEXT_RESPONSE, policy=first.policy, target_seconds=target
    )
    schedule = schedule_of(clock.policy)
    clock.restart(schedule, at)
    clock.save()
    return [_event(clock, "start", schedule, at)]


def _halt(clock, schedule, at, state, *, reason: str) -> list[ClockEvent]:
    clock.halt(schedule, at, state)
    events = [
        _event(
            clock, "pause" if state == ClockState.PAUSED else "stop", schedule, at, reason=reason
        )
    ]
    if (
        state == ClockState.STOPPED
        and clock.breached_at is None
        and clock.elapsed_seconds > clock.target_seconds
    ):
        # Overdue before the sweep noticed: recorded now, so compliance figures stay true.
        clock.breached_at = at
        events.append(
            ClockEvent(
                "sla_breach", {"clock": clock.kind, "found": "at stop", "policy": clock.policy.name}
            )
        )
    clock.save()
    return events


def _resume(clock, schedule, at, *, reason: str) -> list[ClockEvent]:
    clock.stopped_at = None
    clock.start(schedule, at)
    clock.save()
    return [_event(clock, "resume", schedule, at, reason=reason)]


def _rematch(request, clocks: list[SLAClock], at: datetime) -> list[ClockEvent]:
    """A new policy keeps the business time used so far; only targets and calendar change."""
    policy = match_policy(request)
    events = []
    for clock in clocks:
        if clock.state == ClockState.STOPPED or policy is None or clock.policy_id == policy.pk:
            continue
        target = policy.target_seconds(clock.kind)
        if not target:
            continue
        was_running = clock.state == ClockState.RUNNING
        clock.halt(schedule_of(clock.policy), at, ClockState.PAUSED)
        clock.policy, clock.target_seconds = policy, target
        schedule = schedule_of(policy)
        if was_running:
            clock.start(schedule, at)
        clock.save()
        events.append(_event(clock, "rematch", schedule, at, reason=f"policy {policy.name}"))
    return events


def _event(
    clock: SLAClock, action: str, schedule: Schedule, at: datetime, reason: str = ""
) -> ClockEvent:
    payload = {
        "clock": clock.kind,
        "action": action,
        "policy": clock.policy.name,
        "target_seconds": clock.target_seconds,
        "elapsed_business_seconds": round(clock.elapsed_at(schedule, at), 3),
        "deadline": clock.deadline.isoformat() if clock.deadline else None,
    }
    if reason:
        payload["reason"] = reason
    return ClockEvent("sla_clock", payload)
