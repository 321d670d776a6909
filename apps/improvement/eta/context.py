"""Inter-case features: the open work when each step of each case happened (all cases, in time
order, so a step sees only what had happened by its own time)."""

from collections import Counter
from collections.abc import Iterable

from apps.improvement.eta.traces import Trace

# (other open cases, of them in the same department or step, of them with the same resource,
# of them in the same department and the same state: the queue this case waits in)
Load = tuple[int, int, int, int]


def place_of(step) -> int | str:
    """Where the case waits: its department on the desk, its current activity in an imported
    log (which has no departments)."""
    return step.department if step.department is not None else step.activity


def attach_load(traces: Iterable[Trace]) -> None:
    """Set `trace.load[i]` for every step: the other cases open when step i happened (all, in
    its department, with its resource, in its department and state).

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
    loads: list[list] = [[None] * len(trace.steps) for trace in traces]
    for trace, load in zip(traces, loads, strict=True):
        trace.load = load
    for _at, n, i in points:
        trace = traces[n]
        step = trace.steps[i]
        before = holding.pop(n, None)
        if before is not None:
            totals.subtract(before)
        loads[n][i] = (
            totals["all"],
            totals[("place", place_of(step))],
            totals[("resource", step.resource)] if step.resource is not None else 0,
            totals[("queue", place_of(step), step.state)],
        )
        if _is_open(trace, i):
            now = (
                "all",
                ("place", place_of(step)),
                ("resource", step.resource),
                ("queue", place_of(step), step.state),
            )
            holding[n] = now
            totals.update(now)


def _is_open(trace: Trace, index: int) -> bool:
    if trace.open_states is None:
        return index < len(trace.steps) - 1 or trace.end is None
    return trace.steps[index].state in trace.open_states
