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

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter

from django.db.models import F

from apps.eventlog.models import Event, EventKind
from apps.simulation.calendar import open_seconds_between
from apps.simulation.model import WORKING
from apps.tickets.models import ServiceRequest

# Other requests' work is read this far around the fitted period (stretches overlapping it).
MARGIN = timedelta(days=14)
# The ways into the working states that are not a return to work.
NOT_RETURNS = ("queued", "new", "")
# A request taken this soon (open seconds) after another of the agent's pieces of work ended
# waited for that agent: its pickup delay took no longer than its stay (a bound, not a time).
JUST_FREED = 60


@dataclass
class AgentTime:
    """`holds`: (request id, instant it left the working states) -> the hands-on seconds of
    that return to work; `pickups`: (request id, instant it left the queue) -> the open seconds
    it stayed queued although the agent who took it was free when it came (the desk's pickup
    delay, which no queue explains: the wait for a free agent is the engine's own); `bounds`:
    the same for a stay that ended as its agent freed (the pickup was over by then: it took
    at most the stay, a left-censored delay, fitting.fit_left_censored)."""

    holds: dict[tuple, float] = field(default_factory=dict)
    pickups: dict[tuple, float] = field(default_factory=dict)
    bounds: dict[tuple, float] = field(default_factory=dict)

    def at(self, request: int, left: datetime) -> tuple[float | None, ...]:
        """The hold, the pickup and the pickup's bound of the step of `request` that ended at
        `left` (None: not one)."""
        key = (request, left)
        return self.holds.get(key), self.pickups.get(key), self.bounds.get(key)


@dataclass
class _Stretch:
    """A request's stay in the working states with one agent: whence it came, when it came
    (and since when it was queued, when it came from the queue), when it left."""

    agent: int | None
    came_from: str
    entered: datetime
    queued_since: datetime | None
    left: datetime | None = None
    states: int = 1
    department: int | None = None


def read_holds(start: datetime, end: datetime, hours: list[float]) -> AgentTime:
    """The holds of the requests submitted in [start, end) whose stretch in one working state
    was entered from outside the working states and the queue (a customer's reply, a
    reopening), and the pickups of their stays in the queue."""
    rows = _transitions(start, end)
    fitted = set(
        ServiceRequest.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
            "pk", flat=True
        )
    )
    ends: dict[int, list[datetime]] = defaultdict(list)
    starts: dict[int, list[datetime]] = defaultdict(list)
    own: list[tuple[int, _Stretch]] = []
    for request_id, events in groupby(rows.iterator(chunk_size=5000), key=itemgetter(0)):
        for stretch in _stretches(events):
            if stretch.agent is not None and stretch.left is not None:
                ends[stretch.agent].append(stretch.left)
                starts[stretch.agent].append(stretch.entered)
                if request_id in fitted:
                    own.append((request_id, stretch))
    for times in (*ends.values(), *starts.values()):
        times.sort()
    found = AgentTime()
    for request_id, stretch in own:
        assert stretch.agent is not None and stretch.left is not None
        free = _last_end(ends[stretch.agent], stretch.left)
        if stretch.came_from not in NOT_RETURNS and stretch.states == 1:
            began = max(stretch.entered, free or stretch.entered)
            found.holds[(request_id, stretch.left)] = open_seconds_between(
                hours, began, stretch.left
            )
        since = stretch.queued_since
        if since is None or _running(starts[stretch.agent], ends[stretch.agent], since):
            continue
        ended = _last_end(ends[stretch.agent], stretch.entered, inclusive=True)
        stay = open_seconds_between(hours, since, stretch.entered)
        if ended is None or open_seconds_between(hours, ended, stretch.entered) > JUST_FREED:
            found.pickups[(request_id, stretch.entered)] = stay
        else:
            found.bounds[(request_id, stretch.entered)] = stay
    return found


def agent_stretches(start: datetime, end: datetime) -> list[_Stretch]:
    """Every request's stretches in the working states that overlap [start, end) and have
    ended, with the department that had the request and its agent (None: the log names
    none)."""
    rows = _transitions(start, end)
    found = []
    for _request_id, events in groupby(rows.iterator(chunk_size=5000), key=itemgetter(0)):
        found += [
            stretch
            for stretch in _stretches(events)
            if stretch.entered < end and stretch.left is not None and stretch.left > start
        ]
    return found


def _transitions(start: datetime, end: datetime):
    """The state changes around [start, end), request by request in log order."""
    return (
        Event.objects.filter(kind=EventKind.TRANSITION, at__gte=start - MARGIN, at__lt=end + MARGIN)
        .exclude(from_state=F("to_state"))
        .order_by("request_id", "seq")
        .values_list("request_id", "from_state", "to_state", "at", "assignee_id", "department_id")
    )


def _stretches(events) -> list[_Stretch]:
    """One request's stretches in the working states, from its state changes in log order
    (rows as `_transitions` reads them)."""
    found: list[_Stretch] = []
    stretch, queued_since = None, None
    for _request, from_state, to_state, at, assignee, department in events:
        if to_state == "queued":
            queued_since = at
        if to_state in WORKING and from_state not in WORKING:
            since = queued_since if from_state == "queued" else None
            stretch = _Stretch(assignee, from_state or "", at, since, department=department)
        elif stretch is not None and to_state in WORKING:
            stretch.states += 1
            stretch.agent = stretch.agent or assignee
        elif stretch is not None and from_state in WORKING:
            stretch.agent, stretch.left = stretch.agent or assignee, at
            found.append(stretch)
            stretch = None
    return found


def _last_end(times: list[datetime], before: datetime, inclusive: bool = False) -> datetime | None:
    """The last instant in `times` (sorted) before `before` (or at it, `inclusive`)."""
    position = (bisect_right if inclusive else bisect_left)(times, before)
    return times[position - 1] if position else None


def _running(starts: list[datetime], ends: list[datetime], at: datetime) -> bool:
    """Whether one of an agent's stretches (entered `starts`, left `ends`, both sorted) was
    under way at `at`."""
    return bisect_right(starts, at) > bisect_right(ends, at)
