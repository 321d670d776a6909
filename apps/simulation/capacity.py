"""How many agents each department works with, read from the log rather than from settings.

An agent's `capacity` setting is how many requests they may hold, not how many they work on at
once; what the engine needs is the number of requests a department moves forward in parallel.
That is the number of agents seen working its requests, or, where agents juggle several
requests (the time in a working state then stretches over other work), the typical number of
requests in a working state there during office hours, whichever is larger."""

import statistics
from bisect import bisect_right
from datetime import datetime, timedelta

from apps.simulation.model import HOURS_PER_WEEK

# An hour counts as office time for sampling when it is open at least this share.
OPEN_ENOUGH = 0.5


def agents_from_log(agents: dict, working: dict, open_hours: list[float]) -> dict[str, int]:
    """Department -> agents working one request at a time (at least 1 where any work was
    seen): the larger of the distinct agents and the median count of requests in a working
    state at the open hours of the period."""
    capacity = {}
    for department in sorted(set(agents) | set(working)):
        if not department:
            continue
        parallel = _median_in_work(working.get(department, []), open_hours)
        capacity[department] = max(len(agents.get(department, ())), round(parallel), 1)
    return capacity


def _median_in_work(stretches: list[tuple[datetime, datetime]], open_hours: list[float]) -> float:
    """The median, over the open hours between the first and last stretch, of the stretches
    under way at the top of the hour."""
    if not stretches:
        return 0.0
    starts = sorted(start for start, _end in stretches)
    ends = sorted(end for _start, end in stretches)
    at = starts[0].replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    counts = []
    while at < ends[-1]:
        how = at.weekday() * 24 + at.hour
        if not open_hours or open_hours[how % HOURS_PER_WEEK] >= OPEN_ENOUGH:
            counts.append(bisect_right(starts, at) - bisect_right(ends, at))
        at += timedelta(hours=1)
    return statistics.median(counts) if counts else 0.0
