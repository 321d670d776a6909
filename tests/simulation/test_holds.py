"""A return to work waits for its own agent, and agents take the waiting requests first come,
first served (the pool of a model read from the log: apps/simulation/skills.py, holds.py)."""

import simpy

from apps.simulation.engine import HOUR, simulate
from apps.simulation.model import StepDist
from apps.simulation.skills import SkilledPool
from tests.support.simulation import fixed, queue_model


def _desk():
    env = simpy.Environment()
    return env, SkilledPool(env, [None, None]), {}


def _work(env, pool, seen, name, *, at, hours, agent_of=None):
    """`name` asks for an agent at `at` (its own: `agent_of`'s, when given) and works `hours`."""
    yield env.timeout(at)
    claim = pool.request("c", seen[agent_of][1] if agent_of else None)
    agent = yield claim
    seen[name] = (env.now, agent)
    yield env.timeout(hours)
    pool.release(claim)


def test_a_return_waits_for_its_own_agent_while_another_is_free():
    env, pool, seen = _desk()
    env.process(_work(env, pool, seen, "a", at=0, hours=1))
    env.process(_work(env, pool, seen, "b", at=0, hours=3))
    # Back from the customer at 0.5: a's agent is free at 1, b's (its own) only at 3.
    env.process(_work(env, pool, seen, "b again", at=0.5, hours=1, agent_of="b"))
    env.run()
    assert seen["b again"] == (3, seen["b"][1])
    assert seen["a"][1] is not seen["b"][1]


def test_the_first_to_ask_is_served_first():
    env, pool, seen = _desk()
    env.process(_work(env, pool, seen, "a", at=0, hours=1))
    env.process(_work(env, pool, seen, "b", at=0, hours=2))
    env.process(_work(env, pool, seen, "first", at=0.2, hours=1))
    env.process(_work(env, pool, seen, "second", at=0.4, hours=1))
    env.run()
    assert seen["first"][0] == 1 and seen["second"][0] == 2


def test_the_resolution_clock_runs_while_a_return_waits_for_its_agent():
    """Around the clock, the resolution clock is the time to resolve less the half hours spent
    waiting for the customer: the wait of a return for its own (busy) agent is work time."""
    model = queue_model(per_hour=0.8, agents=1, service=fixed(HOUR))
    model.transitions["in_progress"] = {"pending_customer": 0.5, "resolved": 0.5}
    model.transitions["pending_customer"] = {"in_progress": 1.0}
    model.durations["pending_customer"] = fixed(HOUR / 2)
    model.holds = {"in_progress": StepDist(kind="exponential", params={"mean": HOUR / 3})}
    run = simulate(model, hours=300, seed=4, drain_hours=300)
    returned = [o for o in run.outcomes if o.resolved is not None and o.waited > 0]
    assert len(returned) > 20
    for outcome in run.outcomes:
        paused = (outcome.resolved - outcome.arrived - outcome.clock) / (HOUR / 2)
        assert abs(paused - round(paused)) < 1e-6, outcome
