"""The discrete-event engine: SimPy runs a ProcessModel once, from a seed.

Requests arrive by category and hour of week (piecewise-constant Poisson rates), follow the
path, wait for one of their department's agents while in a working state, and take the fitted
step times: hands-on work in the open hours of the department's calendar (else the desk's),
every other step in wall time. Time is wall-clock seconds from a Monday 00:00 (UTC). How a
queued request reaches an agent (a pool, in turn, picked up by hand) is assignment.py's.

A department with shifts (`ProcessModel.staffing`) has a pool as large as its busiest hour;
in quieter hours the units off duty are held by blockers of a higher priority, taken as soon as
an agent finishes (an agent going off shift finishes the request in hand first)."""

import random
from dataclasses import dataclass, field

import simpy

from apps.simulation.assignment import PickUp, RoundRobinPool, in_turn, round_robin_pool
from apps.simulation.calendar import after_open_seconds, open_seconds
from apps.simulation.first_response import ResponseClock, after_step
from apps.simulation.model import (
    ENDS,
    HOURS_PER_WEEK,
    PAUSING,
    RESOLVED,
    WAITING,
    WORKING,
    ProcessModel,
    draw,
)
from apps.simulation.next_response import NextResponses
from apps.simulation.side_steps import Passage, SideStep, choose, pass_through, steps_of
from apps.simulation.skills import Agent, SkilledPool, skilled_pool

HOUR = 3600.0
# A request left on the path longer than this many steps is stopped (a loop in the data).
MAX_STEPS = 200


@dataclass(frozen=True)
class Arrival:
    """A request of a replayed trace: when it arrives (seconds from the run's start), its
    category and priority, keyed as the model keys them."""

    at: float
    category: str
    priority: str


@dataclass
class Outcome:
    """One simulated request: when it arrived, resolved (None: not, or not by the end of the
    run), how long it waited for agents."""

    category: str
    priority: str
    arrived: float
    resolved: float | None = None
    waited: float = 0.0
    # The resolution clock: open seconds until resolved, outside the pausing states.
    clock: float = 0.0
    # Its own resolution target, where its priority's requests had several (`resolution_mix`).
    target: float | None = None
    # Left the process without being resolved (cancelled, or the path ran out).
    dropped: bool = False
    # The department it was last queued for ("": never routed, the bot resolved it).
    department: str = ""
    # The first-response clock, where the model has first responses (first_response.py).
    response: ResponseClock | None = None
    # Its next-response clocks, where the model has next-response targets (next_response.py).
    next_clocks: list = field(default_factory=list)


@dataclass
class Run:
    """What one replication measured, before it is summarised."""

    outcomes: list[Outcome] = field(default_factory=list)
    # Department -> busy agent-seconds of open time in each hour of the run.
    busy: dict[str, list[float]] = field(default_factory=dict)
    backlog: list[int] = field(default_factory=list)
    open_now: int = 0
    # Department -> how many times one of its agents was taken and given back.
    claims: dict[str, int] = field(default_factory=dict)
    # Passes through side steps (approvals, consults, handoffs: apps/simulation/side_steps.py).
    passages: list[Passage] = field(default_factory=list)


def simulate(
    model: ProcessModel,
    *,
    hours: float,
    seed: int,
    drain_hours: float = 0.0,
    trace: list[Arrival] | None = None,
) -> Run:
    """Arrivals during `hours`; the run goes on `drain_hours` more so late arrivals finish.
    With a `trace` (validation: the log's own submissions), the requests arrive as it says
    instead of from the fitted rates."""
    env, rng, run = simpy.Environment(), random.Random(seed), Run()
    # A department the model has no agents for has no pool: its queue takes the fitted time.
    pools = {d: _pool(env, model, d) for d in model.capacity}
    sim = _Sim(env=env, rng=rng, model=model, run=run, pools=pools, steps=steps_of(model))
    # First responses draw from their own stream: a model without them runs as before.
    sim.responses = random.Random(f"first-response {seed}")
    sim.targets = random.Random(f"resolution-target {seed}")
    sim.pick_up = PickUp(model, seed)
    sim.next_responses = NextResponses(model, seed) if model.next_targets else None
    for department in sorted(model.staffing):
        if department in pools:
            env.process(sim.shifts(department))
    if trace is not None:
        env.process(sim.replay(trace, hours * HOUR))
    else:
        for category in sorted(model.arrivals):
            env.process(sim.arrivals(category, hours * HOUR))
    env.process(sim.watch_backlog())
    env.run(until=(hours + drain_hours) * HOUR)
    return run


def _pool(env: simpy.Environment, model: ProcessModel, department: str):
    if in_turn(model, department):
        return round_robin_pool(env, model, department)
    if model.skills.get(department) or model.holds:
        # Agents told apart: by their categories, and a return to work waits for its own.
        return skilled_pool(env, model, department)
    shifts = model.staffing.get(department)
    if shifts:
        return simpy.PriorityResource(env, capacity=max(max(shifts), 1))
    return simpy.Resource(env, capacity=max(model.capacity[department], 1))


# Priorities in a department with shifts: the blockers that take units off duty go first.
OFF_DUTY, WORK = 0, 1


@dataclass
class _Path:
    """Where a simulated request is: its state, department and the agent unit it holds."""

    state: str = "new"
    # The state it came from (step times depend on it).
    before: str = ""
    department: str = ""
    held: tuple | None = None
    # The agent it last had (a return to work waits for them, where the pool tells agents apart).
    agent: Agent | None = None
    # Where a side step's transfer sends it when it is next queued ("": the model's routes).
    route_to: str = ""


@dataclass
class _Sim:
    env: simpy.Environment
    rng: random.Random
    model: ProcessModel
    run: Run
    pools: dict[str, simpy.Resource]
    steps: list[SideStep] = field(default_factory=list)
    responses: random.Random | None = None
    targets: random.Random | None = None
    pick_up: PickUp | None = None
    next_responses: NextResponses | None = None

    def arrivals(self, category: str, until: float):
        rates = self.model.arrivals[category]
        while self.env.now < until:
            rate = rates[int(self.env.now // HOUR) % HOURS_PER_WEEK]
            hour_end = (self.env.now // HOUR + 1) * HOUR
            gap = self.rng.expovariate(rate / HOUR) if rate > 0 else float("inf")
            if self.env.now + gap >= hour_end:
                # Piecewise-constant rate: memoryless, so start again at the next hour.
                yield self.env.timeout(hour_end - self.env.now)
                continue
            yield self.env.timeout(gap)
            if self.env.now < until:
                priority = draw(self.model.priorities.get(category) or {"3": 1.0}, self.rng)
                self._arrive(category, priority)

    def replay(self, trace: list[Arrival], until: float):
        """The requests of `trace` (in time order), each when it says, up to `until`."""
        for arrival in trace:
            if arrival.at >= until:
                break
            if arrival.at > self.env.now:
                yield self.env.timeout(arrival.at - self.env.now)
            self._arrive(arrival.category, arrival.priority)

    def _arrive(self, category: str, priority: str) -> None:
        outcome = Outcome(category=category, priority=priority, arrived=self.env.now)
        mix = self.model.resolution_mix.get(priority)
        if mix and self.targets is not None:
            outcome.target = float(draw(mix, self.targets))
        self.run.outcomes.append(outcome)
        self.run.open_now += 1
        self.env.process(self.request(outcome))

    def request(self, outcome: Outcome):
        path = _Path()
        for _step in range(MAX_STEPS):
            following = self.model.next_state(
                path.state, outcome.category, self.rng, path.department, outcome.priority
            )
            if following is None:
                break
            step = (
                choose(self.steps, path, following, outcome.category, self.rng)
                if self.steps
                else None
            )
            yield from self._move(path, following, outcome, step)
            if path.state == RESOLVED and outcome.resolved is None:
                outcome.resolved = self.env.now
                self.run.open_now -= 1
            if path.state in ENDS:
                break
        if path.held is not None:
            self._release(path.held, path.department)
        if outcome.resolved is None:
            outcome.dropped = True
            self.run.open_now -= 1

    def _move(self, path: "_Path", following: str, outcome: Outcome, step=None):
        """One step: the time in the current state (the wait for an agent when it ends in a
        working state from the queue), then the agent kept, released or taken; a side `step`
        between the two states when one was drawn."""
        began = self.env.now
        if path.state == "queued" and following in WORKING and path.department in self.pools:
            if self.pick_up is not None and path.department in self.pick_up.delays:
                yield from self.pick_up.wait(self.env, path.department, outcome)
            else:
                delay = self.model.pickup(path.department, outcome.priority, self.rng, path.before)
                if delay:
                    hours = self.model.hours_of(path.department)
                    yield self.env.timeout(after_open_seconds(hours, began, delay) - began)
            path.held = yield from self._take_agent(path.department, outcome)
        else:
            seconds = self.model.duration(
                path.state, path.department, outcome.priority, self.rng, before=path.before
            )
            hours = self.model.hours_of(path.department) if path.state in WORKING else []
            if path.state == WAITING:
                hours = self.model.customer_hours
            yield self.env.timeout(after_open_seconds(hours, began, seconds) - began)
        if path.state not in PAUSING:
            self._clock(outcome, began)
        self._responses(outcome, (path.state, following), (began, self.env.now))
        if path.held is not None and following not in WORKING:
            self._release(path.held, path.department)
            path.agent, path.held = path.held[0].value, None
        if step is not None:
            yield from pass_through(self, path, step, outcome)
        if following == "queued":
            # Routed or transferred: chosen once the old department's unit is released.
            path.department = path.route_to or self.model.department_for(
                outcome.category, path.department, self.rng
            )
            path.route_to = ""
            outcome.department = path.department
        if following in WORKING and path.held is None and path.state != "queued":
            # Back to work (after the customer's reply, a handoff): the wait for its agent is
            # part of the working state, the clock running.
            asked = self.env.now
            path.held = yield from self._take_agent(path.department, outcome, path.agent)
            self._clock(outcome, asked)
        path.before, path.state = path.state, following

    def _clock(self, outcome: Outcome, began: float) -> None:
        """The resolution clock runs from `began` to now (in its open hours; not after the
        request was first resolved)."""
        if outcome.resolved is None:
            shares = self.model.clock_shares(outcome.priority)
            outcome.clock += open_seconds(shares, began, self.env.now)

    def _responses(self, outcome: Outcome, step: tuple[str, str], span: tuple) -> None:
        """The first response and the next ones (their own random streams) after a step."""
        if self.model.response_targets and self.responses is not None:
            after_step(self.model, self.responses, outcome, step, span)
        if self.next_responses is not None:
            self.next_responses.after_step(outcome, step, span)

    def _take_agent(self, department: str, outcome: Outcome, agent: Agent | None = None):
        pool = self.pools.get(department)
        if pool is None:
            return None
        start = self.env.now
        claim: simpy.events.Event
        if isinstance(pool, SkilledPool):
            claim = pool.request(outcome.category, agent)
        elif isinstance(pool, RoundRobinPool):
            claim = pool.request()
        elif isinstance(pool, simpy.PriorityResource):
            claim = pool.request(WORK)
        else:
            claim = pool.request()
        yield claim
        outcome.waited += self.env.now - start
        return claim, self.env.now

    def _release(self, held, department: str) -> None:
        claim, granted_at = held
        hours = self.run.busy.setdefault(department, [])
        start, end = granted_at, self.env.now
        while start < end:
            hour = int(start // HOUR)
            if hour >= len(hours):
                hours.extend([0.0] * (hour + 1 - len(hours)))
            until = min(end, (hour + 1) * HOUR)
            hours[hour] += open_seconds(self.model.hours_of(department), start, until)
            start = until
        self.pools[department].release(claim)
        self.run.claims[department] = self.run.claims.get(department, 0) + 1

    def shifts(self, department: str):
        """Each hour, as many units held off duty as the pool has above the agents on duty:
        blockers still waiting are withdrawn first, then those holding a unit give it back."""
        pool = self.pools[department]
        if isinstance(pool, SkilledPool | RoundRobinPool):
            yield from pool.follow_shifts(lambda hour: self.model.agents_at(department, hour))
        assert isinstance(pool, simpy.PriorityResource)
        blockers: list[simpy.resources.resource.PriorityRequest] = []
        while True:
            hour = int(self.env.now // HOUR)
            off = pool.capacity - self.model.agents_at(department, hour)
            while len(blockers) < off:
                blockers.append(pool.request(OFF_DUTY))
            while len(blockers) > off:
                blocker = blockers.pop()
                if blocker.triggered:
                    pool.release(blocker)
                else:
                    blocker.cancel()
            yield self.env.timeout((hour + 1) * HOUR - self.env.now)

    def watch_backlog(self):
        while True:
            self.run.backlog.append(self.run.open_now)
            yield self.env.timeout(HOUR)
