"""Traces for the ETA model from the desk's own event log or from an imported log."""

from datetime import datetime
from itertools import groupby

from apps.analytics.models import ImportedEvent, ImportedLog
from apps.eventlog.models import Event, EventKind
from apps.improvement.eta.office import OfficeHours
from apps.improvement.eta.traces import Step, Trace
from apps.lifecycle.priority import priority_for
from apps.lifecycle.states import OPEN, State
from apps.sla.models import ClockKind, SLAClock, SLAPolicy

OPEN_STATES = frozenset(str(s) for s in OPEN)
# A transition from an open state into one of these resolves the case (for now).
END_STATES = frozenset({State.RESOLVED, State.CANCELLED, State.CLOSED})
# The resolution clock stands still in these (apps/sla/timers.py PAUSING).
PAUSING = frozenset({State.PENDING_CUSTOMER, State.AWAITING_APPROVAL})
EVENT_FIELDS = (
    "request_id",
    "transition",
    "from_state",
    "to_state",
    "at",
    "department_id",
    "assignee_id",
    "business_seconds",
    "payload__priority",
)
WINDOW = 5000
REQUEST_FIELDS = (
    "request__state",
    "request__impact",
    "request__urgency",
    "request__category_id",
    "request__channel",
    "request__customer__tier",
)


def office_hours() -> OfficeHours | None:
    """When the desk's agents work: the calendar of the catch-all SLA policy (the highest order
    with working hours that is not open around the clock), None when there is none (then the
    encoding has no office-hours columns)."""
    for policy in SLAPolicy.objects.filter(calendar__isnull=False).order_by("-order"):
        schedule = policy.calendar.schedule()
        if schedule.has_open_time and not schedule.always_open:
            return OfficeHours(schedule)
    return None


def desk_traces(*, since: datetime | None = None, open_only: bool = False) -> list[Trace]:
    """One trace per request submitted since `since`: its transitions (activity = transition
    name, state = the state entered, department and assignee after each, the business time its
    resolution clock had run), ending at its last resolution or cancellation, or open (end None)
    when it is open now (`open_only`: the open requests alone). Case attributes are those
    fixed at submission: priority (from impact and urgency, or as submitted), category,
    channel and customer tier; a later escalation shows as a step, never as a changed
    attribute (that would leak the future)."""
    events = Event.objects.filter(kind=EventKind.TRANSITION)
    if since is not None:
        events = events.filter(request__created_at__gte=since)
    if open_only:
        events = events.filter(request__state__in=OPEN_STATES)
    clocks = {} if open_only else _resolution_clocks(since)
    traces = []
    for rows in _in_windows(events):
        for request_id, group in groupby(rows, key=lambda row: row[0]):
            traces.append(_desk_trace(request_id, list(group), clocks.get(request_id)))
    return traces


def _in_windows(events, size: int = WINDOW):
    """The rows in windows of `size` requests, each one plain query. A server-side cursor over
    the whole join (`iterator()`) took 32 s for 32,531 rows where the plain query took 2.5 s
    (PostgreSQL plans a cursor for its first rows)."""
    ids = sorted(set(events.values_list("request_id", flat=True)))
    for start in range(0, len(ids), size):
        window = ids[start : start + size]
        yield list(
            events.filter(request_id__gte=window[0], request_id__lte=window[-1])
            .order_by("request_id", "seq")
            .values_list(*EVENT_FIELDS, *REQUEST_FIELDS)
        )


def _resolution_clocks(since: datetime | None) -> dict[int, tuple[float, bool]]:
    clocks = SLAClock.objects.filter(kind=ClockKind.RESOLUTION)
    if since is not None:
        clocks = clocks.filter(request__created_at__gte=since)
    return {
        request_id: (float(target), breached_at is not None)
        for request_id, target, breached_at in clocks.values_list(
            "request_id", "target_seconds", "breached_at"
        )
    }


def _desk_trace(request_id: int, group: list[tuple], clock: tuple[float, bool] | None) -> Trace:
    steps, used = [], 0.0
    for row in group:
        _r, transition, from_state, to_state, at, department, assignee, business = row[:8]
        if steps and from_state in OPEN_STATES and from_state not in PAUSING:
            used += business or 0.0
        steps.append(Step(transition, to_state, at, department, assignee, used))
    ends = [row[4] for row in group if row[2] in OPEN_STATES and row[3] in END_STATES]
    first, last = group[0], group[-1]
    state, impact, urgency, category, channel, tier = last[len(EVENT_FIELDS) :]
    submitted = first[8] if isinstance(first[8], int) else None
    finished = state not in OPEN_STATES and ends
    target, breached = clock if clock else (None, None)
    priority = submitted or int(priority_for(impact, urgency))
    return Trace(
        case=str(request_id),
        steps=steps,
        end=ends[-1] if finished else None,
        priority=priority,
        category=category,
        open_states=OPEN_STATES,
        attributes={
            "priority": priority,
            "category": str(category),
            "channel": channel,
            "tier": tier,
        },
        target_seconds=target,
        breached=breached if finished else None,
    )


def imported_traces(log: ImportedLog) -> list[Trace]:
    """One trace per case of an imported log: activity and state are the activity, the
    resource the event's; the case ends with its last event and keeps its case attributes (an
    imported log has no departments, priorities or deadlines)."""
    attributes = log.case_attributes or {}
    rows = (
        ImportedEvent.objects.filter(log=log)
        .order_by("case_id", "seq")
        .values_list("case_id", "activity", "at", "resource")
    )
    traces = []
    for case_id, group in groupby(rows.iterator(chunk_size=5000), key=lambda row: row[0]):
        steps = [
            Step(activity, activity, at, resource=resource or None)
            for _case, activity, at, resource in group
        ]
        traces.append(
            Trace(
                case=case_id,
                steps=steps,
                end=steps[-1].at,
                attributes=dict(attributes.get(case_id, {})),
            )
        )
    return traces
