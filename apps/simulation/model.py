"""The process model the engine runs: plain dataclasses, JSON-serialisable both ways."""

import bisect
import math
import random
from dataclasses import asdict, dataclass, field

HOURS_PER_WEEK = 168
# The states in which a request holds one of its department's agents, whose time in them is
# hands-on work in office hours (business seconds when the model has a calendar). A request
# waiting for the customer or an approval holds no agent, and the resolution clock pauses.
WORKING = ("assigned", "in_progress")
PAUSING = ("pending_customer", "awaiting_approval")
# Waiting for the customer: its time is in the customer's hours (`customer_hours`).
WAITING = "pending_customer"
ENDS = ("closed", "cancelled")
RESOLVED = "resolved"


@dataclass
class StepDist:
    """The time a step takes, in seconds: `kind` is fixed, exponential, lognormal or empirical.
    `median` and `n` are what was observed; `params` what sampling needs."""

    kind: str
    params: dict
    median: float = 0.0
    n: int = 0

    def sample(self, rng: random.Random) -> float:
        p = self.params
        if self.kind == "fixed":
            return float(p["value"])
        if self.kind == "exponential":
            return rng.expovariate(1.0 / p["mean"]) if p["mean"] > 0 else 0.0
        if self.kind == "lognormal":
            return math.exp(rng.gauss(p["mu"], p["sigma"]))
        return _from_quantiles(p["quantiles"], rng.random())


def _from_quantiles(quantiles: list[float], u: float) -> float:
    """Inverse of the empirical distribution given by equally spaced quantiles, interpolated."""
    position = u * (len(quantiles) - 1)
    low = min(int(position), len(quantiles) - 2)
    share = position - low
    return quantiles[low] + share * (quantiles[low + 1] - quantiles[low])


@dataclass
class ProcessModel:
    """What discovery found. Keys are strings so the model goes through JSON unchanged:

    - `arrivals`: category key -> 168 arrival rates per hour, Monday 00:00 first (UTC);
    - `priorities`: category key -> {priority: share};
    - `transitions`: "state", "state|category", "state|category|department" (the
      department it is with), each also with the priority ("state|category|department|
      priority", "state|category|*|priority", "state|*|*|priority") -> {next state:
      probability} (`path_keys`);
    - `routes`: "category|department before" or "|department before" -> {department: share}
      (the department a request is queued for);
    - `durations`: "state|department|priority", "state|department" or "state" -> StepDist,
      each also as "state<state before|..." (the state it was entered from: `step_keys`);
    - `capacity`: department -> agents working one request at a time;
    - `resolution_targets`: priority -> business seconds of the resolution clock (the
      commonest where its requests had several);
    - `resolution_mix`: priority -> {business seconds: share}, as `response_mix` for the
      resolution clock: each simulated request of that priority draws its own target;
    - `open_hours`: the open share of each hour of the week (apps/simulation/calendar.py);
      empty: always open, every time is wall time;
    - `clock_hours`: priority -> the open shares of the calendar its resolution clocks run on,
      where it differs from `open_hours` (empty: around the clock); a priority not named
      counts its clock in `open_hours`;
    - `staffing`: department -> agents on duty in each hour of the day (24 values, 00:00 UTC
      first; 168 values: each hour of the week), where a department's agents follow shifts
      (apps/simulation/staffing.py); a department without it has `capacity` agents at all
      hours;
    - `side_steps`: steps some requests take between two states (approvals and consults a
      scenario adds, handoffs to other departments), as dicts (apps/simulation/side_steps.py);
    - `skills`: department -> {categories an agent can work, comma-separated: agents}, the
      agents restricted to some categories (apps/simulation/skills.py); a department's other
      agents work any category, a department not named has no restricted agent;
    - `first_response`: state -> {"share", "fractions"}: of the stints in that state before the
      first agent response, the share that held it, and how far into the stint (quantiles of
      the fraction of its time; apps/simulation/first_response.py);
    - `response_targets`: priority -> business seconds of the first-response clock;
    - `response_mix`: priority -> {business seconds: share}, where the log's requests of that
      priority had more than one first-response target (a customer tier's policy beside the
      priority's): each simulated request draws its own target from these shares;
    - `assignment`: department -> {"strategy", "limit", "delay"}: how its queued requests
      reach an agent (round robin, manual, ...), the open requests an agent may hold, a manual
      department's pick-up delay as a StepDist dict (apps/simulation/assignment.py); a
      department without a strategy is one pool;
    - `department_hours`: department -> the open shares of its own calendar (`hours_of`), for
      the departments that have one (apps/simulation/calendar.py);
    - `next_response`: state -> {"share", "fractions"}, as `first_response` for the stints
      after a customer's reply before the agent's next response (next_response.py);
    - `next_targets`: priority -> business seconds of the next-response clock;
    - `holds`: keyed as `durations`, the agent's hands-on part of a return to work (after the
      customer's reply, a reopening), read from the log (apps/simulation/holds.py); with them
      a return waits for its own agent, then holds them for this time only (the agents take
      the waiting requests first come, first served);
    - `pickups`: keyed as `durations` for `queued`, the open seconds a request stays queued
      while an agent is free (the desk's pickup delay), before it waits for one;
    - `customer_hours`: how readily customers reply in each hour of the week (1.0 the readiest
      hour; apps/simulation/customer_hours.py): the time in `pending_customer` is in this
      measure, as work is in open hours (empty: wall time)."""

    arrivals: dict[str, list[float]]
    priorities: dict[str, dict[str, float]]
    transitions: dict[str, dict[str, float]]
    routes: dict[str, dict[str, float]]
    durations: dict[str, StepDist]
    capacity: dict[str, int]
    resolution_targets: dict[str, float] = field(default_factory=dict)
    resolution_mix: dict[str, dict[str, float]] = field(default_factory=dict)
    observed: dict = field(default_factory=dict)
    open_hours: list[float] = field(default_factory=list)
    clock_hours: dict[str, list[float]] = field(default_factory=dict)
    staffing: dict[str, list[int]] = field(default_factory=dict)
    side_steps: list[dict] = field(default_factory=list)
    skills: dict[str, dict[str, int]] = field(default_factory=dict)
    first_response: dict[str, dict] = field(default_factory=dict)
    response_targets: dict[str, float] = field(default_factory=dict)
    response_mix: dict[str, dict[str, float]] = field(default_factory=dict)
    assignment: dict[str, dict] = field(default_factory=dict)
    department_hours: dict[str, list[float]] = field(default_factory=dict)
    next_response: dict[str, dict] = field(default_factory=dict)
    next_targets: dict[str, float] = field(default_factory=dict)
    holds: dict[str, StepDist] = field(default_factory=dict)
    pickups: dict[str, StepDist] = field(default_factory=dict)
    customer_hours: list[float] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ProcessModel":
        values = dict(data)
        values["durations"] = {k: StepDist(**v) for k, v in data["durations"].items()}
        for part in ("holds", "pickups"):
            values[part] = {k: StepDist(**v) for k, v in data.get(part, {}).items()}
        return cls(**values)

    def agents_at(self, department: str, hour: int) -> int:
        """The agents on duty in `department` in the run's hour `hour` (from Monday 00:00)."""
        shifts = self.staffing.get(department)
        return shifts[hour % len(shifts)] if shifts else self.capacity.get(department, 0)

    def hours_of(self, department: str) -> list[float]:
        """The hours the department's agents work: its own calendar's, else the desk's."""
        return self.department_hours.get(department, self.open_hours)

    def ola_hours(self, department: str) -> list[float]:
        """The hours an OLA clock of a handoff to `department` counts: its calendar's, around
        the clock without one (as the desk's, apps/handoffs/ola.py)."""
        return self.department_hours.get(department, [])

    def next_state(
        self, state: str, category: str, rng: random.Random, department: str = "", priority=""
    ) -> str | None:
        """The next state: by the request's category and the department it is with (a
        category's requests are transferred from the department it is wrongly routed to, not
        from the one it belongs to) and its priority, the most specific key present
        (`path_keys`)."""
        for key in path_keys(state, category, department, priority):
            choices = self.transitions.get(key)
            if choices:
                return draw(choices, rng)
        return None

    def department_for(self, category: str, before: str, rng: random.Random) -> str:
        choices = self.routes.get(f"{category}|{before}") or self.routes.get(f"|{before}")
        return draw(choices, rng) if choices else before

    def clock_shares(self, priority: str) -> list[float]:
        """The hours of the week a request of `priority` has its resolution clock running."""
        return self.clock_hours.get(priority, self.open_hours)

    def duration(
        self, state: str, department: str, priority: str, rng: random.Random, before: str = ""
    ) -> float:
        """The time of a step: the most specific key present, the state it was entered from
        first (a return to work after the customer's reply is not a first piece of work); on
        a return to work with `holds`, the agent's hands-on part of it."""
        keys = step_keys(state, before, department, priority)
        for times in (self.holds, self.durations) if returns(state, before) else (self.durations,):
            for key in keys:
                if key in times:
                    return times[key].sample(rng)
        return 0.0

    def resolution_target(self, outcome) -> float | None:
        """The resolution target `outcome` is judged by: its own, drawn from its priority's
        `resolution_mix`, else its priority's one (None: the model has none)."""
        if outcome.target is not None:
            return outcome.target
        return self.resolution_targets.get(outcome.priority)

    def pickup(self, department: str, priority: str, rng: random.Random, before: str) -> float:
        """The open seconds a request stays queued before an agent, free or not, takes it
        (`pickups`; 0 without)."""
        for key in step_keys("queued", before, department, priority):
            if key in self.pickups:
                return self.pickups[key].sample(rng)
        return 0.0


def returns(state: str, before: str) -> bool:
    """A working state entered from outside the working states and the queue: back to work
    after the customer's reply, an approval or a reopening."""
    return state in WORKING and before not in (*WORKING, "queued", "new", "")


def path_keys(state: str, category: str, department: str, priority: str) -> tuple[str, ...]:
    """The keys of a state's next-state shares, most specific first: the category in the
    department with the priority, the category in the department, the category with the
    priority (any department: `*`), the category, the priority (`state|*|*|priority`), the
    state."""
    return (
        f"{state}|{category}|{department}|{priority}",
        f"{state}|{category}|{department}",
        f"{state}|{category}|*|{priority}",
        f"{state}|{category}",
        f"{state}|*|*|{priority}",
        state,
    )


def step_keys(state: str, before: str, department: str, priority: str) -> tuple[str, ...]:
    """The keys of a step's time, most specific first: by the state it was entered from, then
    by department and priority."""
    entered = f"{state}<{before}"
    return (
        f"{entered}|{department}|{priority}",
        f"{entered}|{department}",
        entered,
        f"{state}|{department}|{priority}",
        f"{state}|{department}",
        state,
    )


def draw(shares: dict[str, float], rng: random.Random) -> str:
    """A key drawn with probability proportional to its share (sorted keys: reproducible)."""
    keys = sorted(shares)
    cumulative, total = [], 0.0
    for key in keys:
        total += shares[key]
        cumulative.append(total)
    return keys[min(bisect.bisect_right(cumulative, rng.random() * total), len(keys) - 1)]
