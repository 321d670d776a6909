"""The agent's hands-on part of a return to work, read from the log.

After the customer's reply (or a reopening) a request goes back to `in_progress` at once, while
its agent may still be working on other requests: the log's time in that state is the wait for
the agent plus the work. An agent works one request at a time, and a piece of work ends when its
request leaves the working states (asks the customer, is resolved, transferred), so an agent's
work tiles their day: the work on a request that left the working states at `t` began no
earlier than the last time before `t` one of the agent's other requests left them. The part of
the stretch before that instant was the agent busy elsewhere, a wait holding no agent; the rest,
in the desk's office hours, is the hands-on hold. (An idle gap too short for the work, or work
split around other requests, makes the hold come out a little long: an upper bound.)"""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apps.eventlog.models import Event, EventKind
from apps.simulation.calendar import open_seconds_between
from apps.simulation.model import WORKING

# Other requests' work is read this far around the fitted period (stretches overlapping it).
MARGIN = timedelta(days=14)


@dataclass
class AgentTime:
    """`holds`: (request id, instant it left the working states) -> the hands-on seconds of
    that return to work; `pickups`: (request id, instant it left the queue) -> the open seconds
    it stayed queued although the agent who took it was free when it came (the desk's pickup
    delay, which no queue explains: the wait for a free agent is the engine's own)."""

    holds: dict[tuple, float] = field(default_factory=dict)
    pickups: dict[tuple, float] = field(default_factory=dict)


def read_holds(start: datetime, end: datetime, hours: list[float]) -> AgentTime:
    """The holds of the requests submitted in [start, end) whose stretch in one working state
    was entered from outside the working states and the queue (a customer's reply, a
    reopening), and the pickups of their stays in the queue."""
    rows = (
        Event.objects.filter(kind=EventKind.TRANSITION, at__gte=start - MARGIN, at__lt=end + MARGIN)
        .order_by("request_id", "seq")
        .values_list(
            "request_id", "from_state", "to_state", "at", "assignee_id", "request__created_at"
        )
    )
    ends: dict[int, list[datetime]] = defaultdict(list)
    returns: list[tuple[int, int, datetime, datetime]] = []
    queued: list[tuple[int, int, datetime, datetime]] = []
    current, entered, came_from, agent, states = None, None, "", None, 0
    since: datetime | None = None
    fitted = False
    for request_id, from_state, to_state, at, assignee, created in rows.iterator(chunk_size=5000):
        if request_id != current:
            current, entered, agent, since = request_id, None, None, None
            fitted = start <= created < end
        if from_state == to_state:
            continue
        if to_state == "queued":
            since = at
        if to_state in WORKING and from_state not in WORKING:
            if from_state == "queued" and since is not None and assignee is not None and fitted:
                queued.append((request_id, assignee, since, at))
            entered, came_from, agent, states = at, from_state, assignee, 1
            continue
        if to_state in WORKING:
            states += 1
        agent = agent or assignee
        if from_state not in WORKING or to_state in WORKING or entered is None:
            continue
        if agent is not None:
            ends[agent].append(at)
            if fitted and states == 1 and came_from not in ("queued", "", "new"):
                returns.append((request_id, agent, entered, at))
        entered, agent = None, None
    for times in ends.values():
        times.sort()
    found = AgentTime()
    for request_id, agent, entered, left in returns:
        # The last of the agent's other requests to leave work before this one did.
        began = _last_end(ends[agent], left) or entered
        found.holds[(request_id, left)] = open_seconds_between(hours, max(entered, began), left)
    for request_id, agent, entered, left in queued:
        free = _last_end(ends[agent], left)
        if free is None or free <= entered:
            found.pickups[(request_id, left)] = open_seconds_between(hours, entered, left)
    return found


def _last_end(times: list[datetime], before: datetime) -> datetime | None:
    position = bisect_left(times, before)
    return times[position - 1] if position else None
