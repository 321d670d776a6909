"""Inter-case features: the open work when each step of each case happened (all cases, in time
order, so a step sees only what had happened by its own time)."""

from collections import Counter
from collections.abc import Iterable

from apps.improvement.eta.traces import Trace
from apps.lifecycle.states import State

# (other open cases, of them in the same department or step, of them with the same resource,
# of them in the same department and the same state: the queue this case waits in; then, in
# the same department only on the desk (an imported log has no states to tell them apart):
# waiting for an agent, being worked on, waiting for the customer, and the distinct agents
# working on one there (the busy agents))
Load = tuple[int, int, int, int, int, int, int, int]
# The desk's states by what they mean for the department's capacity (apps/lifecycle/states.py).
WAITING = State.QUEUED
WORKING = frozenset({State.ASSIGNED, State.IN_PROGRESS})
WITH_CUSTOMER = State.PENDING_CUSTOMER


def place_of(step) -> int | str:
    """Where the case waits: its department on the desk, its current activity in an imported
    log (which has no departments)."""
    return step.department if step.department is not None else step.activity


def attach_load(traces: Iterable[Trace]) -> None:
    """Set `trace.load[i]` for every step: the other cases open when step i happened (all, in
    its department, with its resource, in its department and state; on the desk also in its
    department waiting for an agent, being worked on, waiting for the customer, and the
    distinct agents working on one).

    A desk case is open while its state is open; an imported case from its first event until
    its last (as process-mining tools count it). The case itself is left out, so whether its
    own step is its last never shows. Events at the same instant are taken in time, then case
    order; a step never sees an event later than itself."""
    traces = list(traces)
    points = sorted(
        (step.at, n, i) for n, trace in enumerate(traces) for i, step in enumerate(trace.steps)
    )
    totals: Counter = Counter()
    holding: dict[int, tuple] = {}
    busy: Counter = Counter()  # (place, resource) -> cases being worked on
    loads: list[list] = [[None] * len(trace.steps) for trace in traces]
    for trace, load in zip(traces, loads, strict=True):
        trace.load = load
    for _at, n, i in points:
        trace = traces[n]
        step = trace.steps[i]
        before = holding.pop(n, None)
        if before is not None:
            totals.subtract(before)
            _worker(busy, totals, before, -1)
        place = place_of(step)
        loads[n][i] = (
            totals["all"],
            totals[("place", place)],
            totals[("resource", step.resource)] if step.resource is not None else 0,
            totals[("queue", place, step.state)],
            totals[("waiting", place)],
            totals[("working", place)],
            totals[("with_customer", place)],
            totals[("busy", place)],
        )
        if _is_open(trace, i):
            now = (
                "all",
                ("place", place),
                ("resource", step.resource),
                ("queue", place, step.state),
                *_capacity_keys(trace, step, place),
            )
            holding[n] = now
            totals.update(now)
            _worker(busy, totals, now, 1)


def _capacity_keys(trace: Trace, step, place) -> tuple:
    """What an open desk case takes of its department: a place in the queue, an agent's
    hands (with the agent, to count busy agents), or a wait for the customer."""
    if trace.open_states is None:
        return ()
    if step.state == WAITING:
        return (("waiting", place),)
    if step.state in WORKING:
        return (("working", place), ("agent", place, step.resource))
    if step.state == WITH_CUSTOMER:
        return (("with_customer", place),)
    return ()


def _worker(busy: Counter, totals: Counter, keys: tuple, sign: int) -> None:
    """Keep the count of busy agents per department as cases start and stop being worked on."""
    for key in keys:
        if key[0] != "agent" or key[2] is None:
            continue
        _kind, place, resource = key
        was = busy[(place, resource)]
        busy[(place, resource)] = was + sign
        if (was == 0) != (was + sign == 0):
            totals[("busy", place)] += sign


def _is_open(trace: Trace, index: int) -> bool:
    if trace.open_states is None:
        return index < len(trace.steps) - 1 or trace.end is None
    return trace.steps[index].state in trace.open_states
