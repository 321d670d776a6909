"""Assignment strategies in the engine: how a department's queued requests reach its agents,
as the desk's `apps/routing/decisions.py` decides it; and the scenario change
`routing_strategy`.

`ProcessModel.assignment` holds, per department, `{"strategy", "limit", "delay"}` as discovery
found them (apps/simulation/assignment_log.py):

- no strategy (the log does not say), `least_loaded` and `skills`: the department's agents are
  one pool, the first free agent takes the next request (as before; the skills the log shows
  still restrict who can work a category);
- `round_robin`: the request is given at once to the agent whose turn it is (assigned longest
  ago among those holding fewer than `limit` open requests), busy or not, and waits in that
  agent's own queue; with every agent at `limit`, it waits for the first to have room;
- `manual`: a lead or the agents pick it up from the queue after `delay` (the log's time from
  queued to assigned while an agent was free, in office hours), then the pool as above."""

import random
from collections import deque
from collections.abc import Callable
from typing import cast

import simpy
from django.utils.translation import gettext as _

from apps.routing.decisions import MANUAL, ROUND_ROBIN
from apps.simulation.calendar import after_open_seconds
from apps.simulation.changes import InvalidChange, mapping, unknown
from apps.simulation.model import ProcessModel, StepDist

# The desk's default of an agent's `capacity` setting: most open requests assigned at once.
DEFAULT_LIMIT = 10
HOUR = 3600.0


def strategy_of(model: ProcessModel, department: str) -> str:
    """The department's strategy; "" where the log did not say (the pool)."""
    return str(model.assignment.get(department, {}).get("strategy", ""))


def in_turn(model: ProcessModel, department: str) -> bool:
    return strategy_of(model, department) == ROUND_ROBIN


class RoundRobinPool:
    """A department's agents, each with a queue of their own: a request goes to the agent
    assigned longest ago (then the lowest number) among those on duty with fewer than `limit`
    open requests, and waits there; with none, it waits in the department's queue (oldest
    first) until one has room, as the desk's `assign_freed_capacity` gives it then. An agent
    going off shift gets no new turn and finishes the requests already given to them."""

    def __init__(self, env: simpy.Environment, agents: int, limit: int) -> None:
        self.env = env
        self.capacity = agents
        self.limit = max(limit, 1)
        self.agents = [simpy.Resource(env, capacity=1) for _ in range(agents)]
        self.open = [0] * agents
        # When each was last given a request, as a turn count (-1: never, first).
        self.last = [-1] * agents
        self.turns = 0
        self.on_duty = agents
        self.waiting: deque[simpy.Event] = deque()

    def request(self) -> simpy.events.Process:
        """An event whose value, once the agent starts on it, is (agent, their unit)."""
        return self.env.process(self._claim())

    def _claim(self):
        agent = self._next()
        if agent is None:
            room = self.env.event()
            self.waiting.append(room)
            agent = yield room
        unit = self.agents[agent].request()
        yield unit
        return agent, unit

    def _next(self) -> int | None:
        fits = [i for i in range(min(self.on_duty, self.capacity)) if self.open[i] < self.limit]
        if not fits:
            return None
        chosen = min(fits, key=lambda i: (self.last[i], i))
        self.open[chosen] += 1
        self.last[chosen] = self.turns
        self.turns += 1
        return chosen

    def release(self, claim: simpy.events.Event) -> None:
        agent, unit = cast(tuple[int, simpy.resources.resource.Request], claim.value)
        self.agents[agent].release(unit)
        self.open[agent] -= 1
        self._hand_over()

    def _hand_over(self) -> None:
        while self.waiting:
            agent = self._next()
            if agent is None:
                return
            self.waiting.popleft().succeed(agent)

    def follow_shifts(self, on_duty: Callable[[int], int]):
        """Each hour, turns only for the first `on_duty(hour)` agents."""
        while True:
            hour = int(self.env.now // HOUR)
            self.on_duty = on_duty(hour)
            self._hand_over()
            yield self.env.timeout((hour + 1) * HOUR - self.env.now)


def round_robin_pool(env: simpy.Environment, model: ProcessModel, department: str):
    shifts = model.staffing.get(department)
    size = max(shifts) if shifts else model.capacity[department]
    limit = int(model.assignment[department].get("limit") or DEFAULT_LIMIT)
    return RoundRobinPool(env, max(size, 1), limit)


class PickUp:
    """A manual department's delay before a queued request is picked up, drawn from a stream of
    its own (a model without manual departments draws nothing: its runs are as before)."""

    def __init__(self, model: ProcessModel, seed: int) -> None:
        self.model = model
        self.delays = {
            department: StepDist(**part["delay"])
            for department, part in sorted(model.assignment.items())
            if part.get("strategy") == MANUAL and part.get("delay")
        }
        self.rng = random.Random(f"pick-up {seed}")

    def wait(self, env: simpy.Environment, department: str, outcome):
        """The delay (office hours) before the request joins the department's pool; counted
        in the request's wait for an agent."""
        delay = self.delays.get(department)
        if delay is None:
            return
        began = env.now
        hours = self.model.hours_of(department)
        yield env.timeout(after_open_seconds(hours, began, delay.sample(self.rng)) - began)
        outcome.waited += env.now - began


def change_strategy(model: ProcessModel, change: dict) -> None:
    """The scenario change `routing_strategy`: {department: strategy}. A department made manual
    takes the log's pick-up delay: its own, else the first other manual department's."""
    for department, strategy in mapping(change, "routing_strategy").items():
        if department not in model.capacity:
            raise unknown("routing_strategy", _("department"), department)
        part = dict(model.assignment.get(department, {}))
        part["strategy"] = strategy
        part.setdefault("limit", DEFAULT_LIMIT)
        if strategy == MANUAL and not part.get("delay"):
            part["delay"] = _any_delay(model, department)
        model.assignment[department] = part


def _any_delay(model: ProcessModel, department: str) -> dict:
    for _other, part in sorted(model.assignment.items()):
        if part.get("delay"):
            return part["delay"]
    raise InvalidChange(
        _(
            "The log shows no manual department to take the pick-up delay from: department "
            "%(department)s cannot be made manual."
        )
        % {"department": department},
        field="routing_strategy",
    )
