"""Each department's assignment strategy read from the log (apps/simulation/assignment.py runs
it): what its `assign` transitions say, the open requests its agents may hold, and, for a
manual department, the time a request waits to be picked up while an agent is free.

The strategy is the log's, not the configuration's: an automatic assignment records the
strategy that chose the agent (`payload.explain.strategy`, workflows/assignment.py), one made
by a person is manual. A department most of whose assignments say neither (a generated or
imported history) gets no strategy and runs as one pool, as before. The configuration gives
only `limit`, the median `capacity` setting of the department's agents (the desk counts it when
it gives a request to a busy agent)."""

import statistics
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import datetime

from apps.accounts.actors import Role
from apps.accounts.models import Agent
from apps.routing.decisions import MANUAL
from apps.simulation.assignment import DEFAULT_LIMIT
from apps.simulation.calendar import open_seconds_between
from apps.simulation.fitting import fit_step
from apps.simulation.model import WORKING
from apps.simulation.period_log import STEP_FIELDS, period_transitions

ASSIGN = "assign"


def discover_assignment(
    start: datetime, end: datetime, calendars: tuple, capacity: dict[str, int]
) -> dict[str, dict]:
    """Department -> {"strategy", "limit", "delay"} for the departments of `capacity` (agents
    working at once); "strategy" only where the log says it, "delay" only for manual ones, in
    the hours the department works (`calendars`: the desk's office hours, and department ->
    its own where it has one)."""
    hours, own = calendars
    votes, stints, stretches = _read(start, end)
    limits = _limits(capacity)
    found: dict[str, dict] = {}
    for department in sorted(capacity):
        part: dict = {"limit": limits.get(department, DEFAULT_LIMIT)}
        said = votes[department].most_common(1)
        strategy = said[0][0] if said else ""
        if strategy:
            part["strategy"] = strategy
        if strategy == MANUAL:
            delays = _picked_up_while_free(
                stints[department],
                stretches[department],
                capacity[department],
                own.get(department, hours),
            )
            dist = fit_step(delays)
            part["delay"] = asdict(dist) if dist is not None else None
        found[department] = part
    return found


def _read(start: datetime, end: datetime):
    """One pass over the period's transitions in log order: per department, the strategy each
    assignment names ("" none), the queue stints that ended with an agent (entered, left), and
    the stretches its requests spent in a working state."""
    rows = period_transitions(
        start,
        end,
        *STEP_FIELDS,
        "actor_role",
        "payload__explain__strategy",
    )
    votes: dict[str, Counter] = defaultdict(Counter)
    stints: dict[str, list] = defaultdict(list)
    stretches: dict[str, list] = defaultdict(list)
    current, department, entered = None, "", None
    for request_id, name, from_state, to_state, dept, at, role, strategy in rows.iterator(
        chunk_size=5000
    ):
        if request_id != current:
            current, department, entered = request_id, "", None
        if name == ASSIGN:
            votes[department].update([_vote(role, strategy)])
        if from_state == to_state:
            department = "" if dept is None else str(dept)
            continue
        if from_state == "queued" and entered is not None and to_state in WORKING:
            stints[department].append((entered, at))
        if from_state in WORKING and to_state not in WORKING and stretches[department]:
            _end_stretch(stretches[department], at)
        department = "" if dept is None else str(dept)
        entered = at if to_state == "queued" else None
        if to_state in WORKING and from_state not in WORKING:
            stretches[department].append([at, None])
    return votes, stints, stretches


def _vote(role: str, strategy) -> str:
    if role != Role.SYSTEM:
        return MANUAL
    return str(strategy) if strategy else ""


def _end_stretch(stretches: list, at: datetime) -> None:
    # The request's own stretch is the last one opened in its department without an end.
    for stretch in reversed(stretches):
        if stretch[1] is None:
            stretch[1] = at
            return


def _picked_up_while_free(stints, stretches, agents: int, hours: list[float]) -> list[float]:
    """The queue times (open time of the office `hours`) of the stints that began while fewer
    of the department's requests were in a working state than it has agents: the time to be
    picked up, without the wait for an agent."""
    starts = sorted(s for s, _e in stretches)
    ends = sorted(e for _s, e in stretches if e is not None)
    delays = []
    for entered, left in stints:
        busy = bisect_right(starts, entered) - bisect_right(ends, entered)
        if busy < agents:
            delays.append(open_seconds_between(hours, entered, left))
    return delays


def _limits(capacity: dict[str, int]) -> dict[str, int]:
    """Per department, the median `capacity` setting (open requests at once) of its agents."""
    settings: dict[str, list[int]] = defaultdict(list)
    rows = Agent.objects.filter(departments__in=[int(d) for d in capacity if d.isdigit()])
    for department, limit in rows.values_list("departments", "capacity"):
        settings[str(department)].append(limit)
    return {d: round(statistics.median(limits)) for d, limits in settings.items()}
