"""The open requests as the model sees them now: the open work at this moment and each
request's resolution clock (deadline, business time used), read in a few queries."""

from collections import Counter

from django.db.models import Count

from apps.improvement.eta.boosted import BoostedModel
from apps.improvement.eta.context import WAITING, WITH_CUSTOMER, WORKING
from apps.improvement.eta.traces import Trace
from apps.lifecycle.states import OPEN
from apps.sla.models import ClockKind, ClockState, SLAClock
from apps.sla.timers import schedule_of
from apps.tickets.models import ServiceRequest


def live_clocks(now) -> dict[int, tuple]:
    """{request id: (deadline while running or None, business seconds used, target seconds)}
    for the open requests' resolution clocks."""
    clocks = SLAClock.objects.filter(
        kind=ClockKind.RESOLUTION, request__state__in=OPEN
    ).select_related("policy__calendar")
    schedules: dict = {}
    out = {}
    for clock in clocks.iterator(chunk_size=2000):
        schedule = schedules.get(clock.policy_id)
        if schedule is None:
            schedule = schedules[clock.policy_id] = schedule_of(clock.policy)
        running = clock.state == ClockState.RUNNING
        out[clock.request_id] = (
            clock.deadline if running else None,
            clock.elapsed_at(schedule, now),
            float(clock.target_seconds),
        )
    return out


def attach_live_load(traces: list[Trace]) -> None:
    """The other open requests now, on the last step of each open trace (the earlier steps are
    not encoded live), as `context.attach_load` counts them in training."""
    rows = (
        ServiceRequest.objects.filter(state__in=OPEN)
        .values("department_id", "assignee_id", "state")
        .annotate(n=Count("pk"))
    )
    total = 0
    by_department: Counter = Counter()
    by_assignee: Counter = Counter()
    by_queue: Counter = Counter()
    working: Counter = Counter()  # (department, assignee) -> requests being worked on
    for row in rows:
        total += row["n"]
        by_department[row["department_id"]] += row["n"]
        by_assignee[row["assignee_id"]] += row["n"]
        by_queue[(row["department_id"], row["state"])] += row["n"]
        if row["state"] in WORKING and row["assignee_id"] is not None:
            working[(row["department_id"], row["assignee_id"])] += row["n"]
    busy = Counter(department for department, _agent in working)
    for trace in traces:
        last = trace.steps[-1]
        desk = last.department is not None
        place = last.department if desk else last.activity

        works = last.state in WORKING
        alone = works and working[(place, last.resource)] == 1
        load = (
            max(total - 1, 0),
            _others(desk, by_department[place], True),
            max(by_assignee[last.resource] - 1, 0) if last.resource is not None else 0,
            _others(desk, by_queue[(place, last.state)], True),
            _others(desk, by_queue[(place, WAITING)], last.state == WAITING),
            _others(desk, sum(by_queue[(place, state)] for state in WORKING), works),
            _others(desk, by_queue[(place, WITH_CUSTOMER)], last.state == WITH_CUSTOMER),
            _others(desk, busy[place], alone and last.resource is not None),
        )
        trace.load = [None] * (len(trace.steps) - 1) + [load]


def _others(desk: bool, count: int, mine: bool) -> int:
    """A count without the request itself (`mine`: it is one of them); 0 off the desk."""
    return max(count - int(mine), 0) if desk else 0


def live_rows(model: BoostedModel, traces: list[Trace], clocks: dict[int, tuple], now):
    """One encoded row per open trace: its whole prefix, observed now."""
    import numpy as np

    x = np.empty((len(traces), len(model.encoder.names)), dtype=np.float32)
    for n, trace in enumerate(traces):
        _deadline, used, target = clocks.get(int(trace.case), (None, None, None))
        trace.target_seconds = target
        x[n] = model.encoder.rows(trace, [len(trace.steps) - 1], at=now, clock_used=used)[0]
    model.encoder.fill_office_hours(x, [now] * len(traces), [t.start for t in traces])
    return x
