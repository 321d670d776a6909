"""The discrete-event engine: SimPy runs a ProcessModel once, from a seed.

Requests arrive by category and hour of week (piecewise-constant Poisson rates), follow the
path, wait for a unit of their department's agent capacity while in a working state, and
take the fitted step times. Time is wall-clock seconds from a Monday 00:00 (UTC)."""

import random
from dataclasses import dataclass, field

import simpy

from apps.simulation.model import ENDS, HOURS_PER_WEEK, RESOLVED, WORKING, ProcessModel, draw

HOUR = 3600.0
# A request left on the path longer than this many steps is stopped (a loop in the data).
MAX_STEPS = 200


@dataclass
class Outcome:
    """One simulated request: when it arrived, resolved (None: not by the end), its waits."""

    category: str
    priority: str
    arrived: float
    resolved: float | None = None
    waited: float = 0.0


@dataclass
class Run:
    """What one replication measured, before it is summarised."""

    outcomes: list[Outcome] = field(default_factory=list)
    busy: dict[str, float] = field(default_factory=dict)
    backlog: list[int] = field(default_factory=list)
    open_now: int = 0


def simulate(model: ProcessModel, *, hours: float, seed: int, drain_hours: float = 0.0) -> Run:
    """Arrivals during `hours`; the run goes on `drain_hours` more so late arrivals finish."""
    env, rng, run = simpy.Environment(), random.Random(seed), Run()
    # A department the model has no agents for gets unlimited capacity (a gap in the data).
    pools = {d: simpy.Resource(env, capacity=max(c, 1)) for d, c in model.capacity.items()}
    sim = _Sim(env=env, rng=rng, model=model, run=run, pools=pools)
    for category in sorted(model.arrivals):
        env.process(sim.arrivals(category, hours * HOUR))
    env.process(sim.watch_backlog())
    env.run(until=(hours + drain_hours) * HOUR)
    return run


@dataclass
class _Sim:
    env: simpy.Environment
    rng: random.Random
    model: ProcessModel
    run: Run
    pools: dict[str, simpy.Resource]

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
                outcome = Outcome(category=category, priority=priority, arrived=self.env.now)
                self.run.outcomes.append(outcome)
                self.run.open_now += 1
                self.env.process(self.request(outcome))

    def request(self, outcome: Outcome):
        state, department, held = "new", "", None
        for _step in range(MAX_STEPS):
            following = self.model.next_state(state, outcome.category, self.rng)
            if following is None:
                break
            if following == "queued":
                department = self.model.department_for(outcome.category, department, self.rng)
            if state == "queued" and following in WORKING:
                held = yield from self._take_agent(department, outcome)
            else:
                duration = self.model.duration(state, department, outcome.priority, self.rng)
                yield self.env.timeout(duration)
            if held is not None and following not in WORKING:
                self._release(held, department)
                held = None
            if following in WORKING and held is None and state != "queued":
                held = yield from self._take_agent(department, outcome)
            state = following
            if state == RESOLVED and outcome.resolved is None:
                outcome.resolved = self.env.now
                self.run.open_now -= 1
            if state in ENDS:
                break
        if held is not None:
            self._release(held, department)

    def _take_agent(self, department: str, outcome: Outcome):
        pool = self.pools.get(department)
        if pool is None:
            return None
        start, claim = self.env.now, pool.request()
        yield claim
        outcome.waited += self.env.now - start
        return claim, self.env.now

    def _release(self, held, department: str) -> None:
        claim, granted_at = held
        busy = self.run.busy
        busy[department] = busy.get(department, 0.0) + self.env.now - granted_at
        self.pools[department].release(claim)

    def watch_backlog(self):
        while True:
            self.run.backlog.append(self.run.open_now)
            yield self.env.timeout(HOUR)
