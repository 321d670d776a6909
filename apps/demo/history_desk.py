"""The desk's capacity for the history generator: each agent works one request at a time within
office hours, so a request waits for the work booked before it and waits grow with the
department's load; staffing is sized to the demand (a target utilisation per department)."""

from bisect import bisect_right, insort
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apps.sla.business_time import Schedule, add_business_seconds, business_seconds_between

# The share of their office hours the agents spend on hands-on work, on average; the last
# department (in name order) is the bottleneck a manager should find.
UTILISATION = 0.65
BOTTLENECK_UTILISATION = 0.85
# Hands-on work segments per request on average (first work, after a customer's reply, after a
# reopen): used to size one segment from the department's budget.
SEGMENTS = 1.6
MIN_WORK, MAX_WORK = 10.0, 480.0


def open_at(schedule: Schedule, at: datetime) -> datetime:
    """The first instant at or after `at` when the office is open."""
    return add_business_seconds(schedule, at, 1) - timedelta(seconds=1)


@dataclass
class AgentBook:
    """One agent's booked work, as sorted (start, end) intervals that never overlap."""

    agent: object
    busy: list = field(default_factory=list)

    def prune(self, before: datetime) -> None:
        """Forget work that ended before `before` (no later request can be booked earlier)."""
        cut = 0
        while cut < len(self.busy) and self.busy[cut][1] <= before:
            cut += 1
        if cut:
            del self.busy[:cut]

    def earliest(self, schedule: Schedule, at: datetime, seconds: float) -> tuple:
        """The first gap in office hours from `at` that holds `seconds` of work: (start, end)."""
        start = open_at(schedule, at)
        position = bisect_right(self.busy, (start, start))
        if position and self.busy[position - 1][1] > start:
            start, position = open_at(schedule, self.busy[position - 1][1]), position
        while True:
            end = add_business_seconds(schedule, start, seconds)
            if position >= len(self.busy) or self.busy[position][0] >= end:
                return start, end
            start = open_at(schedule, max(start, self.busy[position][1]))
            position += 1

    def queued_after(self, at: datetime) -> int:
        """Work booked to start after `at`: the agent's queue at that moment."""
        return sum(1 for start, _end in self.busy if start > at)


class Desk:
    """The agents' books and the mean hands-on minutes of a work segment per department."""

    def __init__(self, org, schedule: Schedule, requests: list, start: datetime, end: datetime):
        self.schedule = schedule
        self.books = {
            agent.pk: AgentBook(agent) for agents in org.agents_of.values() for agent in agents
        }
        self.agents_of = {d: [a.pk for a in agents] for d, agents in org.agents_of.items()}
        self.work_minutes = _sized(org, schedule, requests, start, end)
        # Category id -> the agents who may work it (absent: any agent of the department).
        self.eligible: dict[int, set[int]] = {}
        # Department id -> the strategy its assignments name in the log (absent: none).
        self.assigned_by: dict[int, str] = {}
        # Whether agents answer a customer's reply with a message when they start on it.
        self.answer_replies = False

    def prune(self, before: datetime) -> None:
        for book in self.books.values():
            book.prune(before)

    def earliest(
        self, department: int, at: datetime, minutes: float, agent=None, category=None
    ) -> tuple:
        """The agent (`agent` itself when given; else one of the department's who may work
        `category`, any when none may) who can start soonest: (agent, start, end)."""
        seconds = max(minutes, 1.0) * 60
        candidates = [agent.pk] if agent is not None else self.agents_of[department]
        allowed = [pk for pk in candidates if pk in self.eligible.get(category, candidates)]
        candidates = allowed or candidates
        best = None
        for pk in candidates:
            start, end = self.books[pk].earliest(self.schedule, at, seconds)
            if best is None or start < best[1]:
                best = (self.books[pk].agent, start, end)
        assert best is not None, "a department in the desk has agents"
        return best

    def book(self, agent, start: datetime, end: datetime) -> None:
        insort(self.books[agent.pk].busy, (start, end))

    def backlog(self, agent, at: datetime) -> int:
        return self.books[agent.pk].queued_after(at)


def _sized(org, schedule: Schedule, requests: list, start: datetime, end: datetime) -> dict:
    """Mean minutes of one work segment per department, so that its agents are busy for the
    target share of their office hours given the requests that will come to it."""
    office_minutes = business_seconds_between(schedule, start, end) / 60
    arriving = Counter(_first_department(org, r) for r in requests)
    last = org.departments[-1].pk
    sized = {}
    for department in org.departments:
        share = BOTTLENECK_UTILISATION if department.pk == last else UTILISATION
        budget = share * office_minutes * len(org.agents_of[department.pk])
        count = max(arriving[department.pk], 1)
        sized[department.pk] = min(max(budget / count / SEGMENTS, MIN_WORK), MAX_WORK)
    return sized


def _first_department(org, request) -> int:
    category = request.category
    if category is not None and category.default_department_id in org.agents_of:
        return category.default_department_id
    return org.departments[0].pk
