"""Traces for the ETA model from the desk's own event log or from an imported CSV log."""

from datetime import datetime
from itertools import groupby

from apps.analytics.models import ImportedEvent, ImportedLog
from apps.eventlog.models import Event, EventKind
from apps.improvement.eta.traces import Step, Trace
from apps.lifecycle.states import OPEN, State

OPEN_STATES = frozenset(str(s) for s in OPEN)
# A transition from an open state into one of these resolves the case (for now).
END_STATES = frozenset({State.RESOLVED, State.CANCELLED, State.CLOSED})


def desk_traces(*, since: datetime | None = None) -> list[Trace]:
    """One trace per request submitted since `since`: its transitions (activity = transition
    name, state = the state entered), the department after each; it ends at its last
    resolution or cancellation, or is open (end None) when it is open now."""
    events = Event.objects.filter(kind=EventKind.TRANSITION)
    if since is not None:
        events = events.filter(request__created_at__gte=since)
    rows = events.order_by("request_id", "seq").values_list(
        "request_id",
        "transition",
        "from_state",
        "to_state",
        "at",
        "department_id",
        "request__priority",
        "request__category_id",
        "request__state",
    )
    traces = []
    for request_id, group in groupby(rows.iterator(chunk_size=5000), key=lambda row: row[0]):
        group = list(group)
        steps = [Step(row[1], row[3], row[4], row[5]) for row in group]
        ends = [row[4] for row in group if row[2] in OPEN_STATES and row[3] in END_STATES]
        is_open = group[-1][8] in OPEN_STATES
        traces.append(
            Trace(
                case=str(request_id),
                steps=steps,
                end=None if is_open or not ends else ends[-1],
                priority=group[-1][6],
                category=group[-1][7],
                open_states=OPEN_STATES,
            )
        )
    return traces


def imported_traces(log: ImportedLog) -> list[Trace]:
    """One trace per case of an imported log: activity and state are the activity; the case
    ends with its last event (an imported log has no departments or priorities)."""
    rows = (
        ImportedEvent.objects.filter(log=log)
        .order_by("case_id", "seq")
        .values_list("case_id", "activity", "at", "resource")
    )
    traces = []
    for case_id, group in groupby(rows.iterator(chunk_size=5000), key=lambda row: row[0]):
        steps = [Step(activity, activity, at) for _case, activity, at, _r in group]
        traces.append(Trace(case=case_id, steps=steps, end=steps[-1].at))
    return traces
