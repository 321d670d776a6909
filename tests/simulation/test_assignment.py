"""Assignment strategies: round robin's agents each keep a queue of their own (Erlang-2
arrivals at each agent, longer waits than a shared pool), a manual department picks requests
up after the log's delay, discovery reads the strategy from the log's assignments, and a
scenario changes it (bad ones refused naming `routing_strategy`)."""

import json
import random
import statistics
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest
import simpy

from apps.demo.history import generate_history
from apps.improvement.staffing.erlang import erlang_c
from apps.simulation.admin.scenarios import ScenarioForm
from apps.simulation.changes import InvalidChange
from apps.simulation.discovery import discover
from apps.simulation.engine import HOUR, Outcome, Run, _pool, _Sim, simulate
from apps.simulation.kpis import replicate
from apps.simulation.model import StepDist
from apps.simulation.scenarios import apply, compare
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, DepartmentFactory
from tests.support.simulation import check_scenario_changes_api, fixed, queue_model

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
# 1.2 requests an hour to two agents working an exponential hour each (utilisation 0.6).
PER_HOUR, AGENTS = 1.2, 2


def two_agents():
    return queue_model(
        per_hour=PER_HOUR, agents=AGENTS, service=StepDist("exponential", {"mean": HOUR})
    )


def erlang_k_wait_h(k: int, per_hour: float) -> float:
    """The mean wait of an E_k/M/1 queue (every k-th of Poisson arrivals at `per_hour`, an
    exponential hour of work): W = s / (mu (1 - s)), s the root in (0, 1) of
    s = A*(mu (1 - s)), A*(x) = (per_hour / (per_hour + x))^k the arrivals' transform."""
    s = 0.5
    for _ in range(200):
        s = (per_hour / (per_hour + 1.0 - s)) ** k
    return s / (1.0 - s)


def test_round_robin_waits_as_erlang_arrivals_at_each_agent_longer_than_a_pool():
    """M/M/2 as one pool: Erlang C's 0.5625 h. In turn, busy or not, each agent gets every
    second request: an E2/M/1 queue each, 0.983 h (a random split would give M/M/1's 1.5 h)."""
    pool = replicate(two_agents(), days=60, replications=20, seed=1, warmup_days=2)
    in_turn = two_agents()
    in_turn.assignment = {"d": {"strategy": "round_robin", "limit": 1000}}
    turns = replicate(in_turn, days=60, replications=20, seed=1, warmup_days=2)
    pool_wait = erlang_c(AGENTS, PER_HOUR) / (AGENTS - PER_HOUR)
    turn_wait = erlang_k_wait_h(AGENTS, PER_HOUR)
    assert pool_wait == pytest.approx(0.5625)
    assert turn_wait == pytest.approx(0.983, abs=0.001)
    assert pool["wait_mean_h"].low <= pool_wait <= pool["wait_mean_h"].high
    assert turns["wait_mean_h"].low <= turn_wait <= turns["wait_mean_h"].high
    assert turns["wait_mean_h"].low > pool["wait_mean_h"].high


def test_round_robin_with_room_for_one_request_each_is_the_pool():
    """The desk gives no request to an agent at their `capacity` setting: with 1, only free
    agents get one, in turn, and every request waits exactly as in the pool."""
    pool = simulate(two_agents(), hours=24 * 10, seed=3)
    in_turn = two_agents()
    in_turn.assignment = {"d": {"strategy": "round_robin", "limit": 1}}
    turns = simulate(in_turn, hours=24 * 10, seed=3)
    assert [o.waited for o in turns.outcomes] == [o.waited for o in pool.outcomes]


def test_round_robin_gives_the_turn_to_the_next_agent_even_if_busy():
    """Two agents, requests at 0, 1 and 2 h: the first of 3 h, the others of half an hour. In
    turn, the third goes to the first agent and waits for them 1 h while the second is free;
    as a pool, the second agent takes it at once."""
    model = queue_model(per_hour=0.0, agents=2, service=fixed(HOUR / 2))
    model.durations["in_progress|d|1"] = fixed(3 * HOUR)
    model.assignment = {"d": {"strategy": "round_robin", "limit": 10}}
    assert [o.waited / HOUR for o in _played(model, ["1", "3", "3"])] == [0.0, 0.0, 1.0]
    model.assignment = {}
    assert [o.waited for o in _played(model, ["1", "3", "3"])] == [0.0, 0.0, 0.0]


def _played(model, priorities: list[str]) -> list[Outcome]:
    """Requests of `priorities` arriving an hour apart from 0, played through the engine."""
    env, run = simpy.Environment(), Run()
    pools = {d: _pool(env, model, d) for d in model.capacity}
    sim = _Sim(env=env, rng=random.Random(1), model=model, run=run, pools=pools)
    outcomes = [
        Outcome(category="c", priority=p, arrived=h * HOUR) for h, p in enumerate(priorities)
    ]

    def arrive(outcome):
        yield env.timeout(outcome.arrived)
        yield from sim.request(outcome)

    for outcome in outcomes:
        env.process(arrive(outcome))
    env.run(until=24 * HOUR)
    return outcomes


def test_a_manual_department_picks_requests_up_after_the_delay():
    """Ample agents, a pick-up delay of exactly 30 minutes: every request waits exactly that;
    the same model as a pool waits for nobody."""
    model = queue_model(per_hour=2.0, agents=50, service=fixed(HOUR))
    model.assignment = {"d": {"strategy": "manual", "limit": 10, "delay": _dict(fixed(1800))}}
    waits = [o.waited for o in simulate(model, hours=48, seed=2, drain_hours=2).outcomes]
    assert len(waits) > 50 and waits == pytest.approx([1800.0] * len(waits))
    model.assignment = {}
    assert {o.waited for o in simulate(model, hours=48, seed=2, drain_hours=2).outcomes} == {0.0}


def _dict(dist: StepDist) -> dict:
    return asdict(dist)


def test_routing_strategy_as_a_scenario_change():
    """Round robin instead of the pool lengthens the wait (same seeds); manual takes the log's
    pick-up delay of another manual department; bad changes are refused naming the field."""
    result = compare(
        two_agents(), {"routing_strategy": {"d": "round_robin"}}, days=60, replications=10, seed=4
    )
    assert result.scenario["wait_mean_h"].low > result.as_is["wait_mean_h"].high
    model = two_agents()
    model.capacity["e"] = 1
    model.assignment = {"e": {"strategy": "manual", "limit": 5, "delay": _dict(fixed(600))}}
    changed = apply(model, {"routing_strategy": {"d": "manual", "e": "least_loaded"}})
    assert changed.assignment["d"] == {
        "strategy": "manual",
        "limit": 10,
        "delay": _dict(fixed(600)),
    }
    assert changed.assignment["e"]["strategy"] == "least_loaded"
    assert model.assignment["e"]["strategy"] == "manual"
    for bad in (
        {"routing_strategy": {"d": "fastest"}},
        {"routing_strategy": {"nowhere": "round_robin"}},
        {"routing_strategy": ["d"]},
        {"routing_strategy": {"d": "manual"}},
    ):
        with pytest.raises(InvalidChange) as refused:
            apply(two_agents(), bad)
        assert refused.value.details["field"] == "routing_strategy"


@pytest.mark.django_db
def test_discovery_reads_each_departments_strategy_from_its_assignments(office_policy):
    """Three departments: the log names round robin for the first's assignments, the second's
    agents assign themselves (manual), the third's say nothing (a generated history): the
    first runs in turn with its agents' capacity setting as the limit, the second picks up
    after the generator's pick-up delay (a median of 4 to 45 minutes by priority, while an
    agent is free), the third is a pool."""
    departments = [DepartmentFactory() for _ in range(3)]
    for department, capacity in zip(departments, (4, 10, 10), strict=True):
        AgentFactory.create_batch(2, departments=[department], capacity=capacity)
        CategoryFactory(default_department=department)
    CustomerFactory.create_batch(3)
    turns, manual, silent = (str(d.pk) for d in departments)
    assigned_by = {departments[0].pk: "round_robin", departments[1].pk: "manual"}
    generate_history(requests=600, days=21, seed=5, now=NOW, assigned_by=assigned_by)
    model = discover(start=NOW - timedelta(days=21), end=NOW)
    assert model.assignment[turns] == {"limit": 4, "strategy": "round_robin"}
    assert model.assignment[manual]["strategy"] == "manual"
    delay = StepDist(**model.assignment[manual]["delay"])
    assert 4 * 60 <= delay.median <= 45 * 60 and delay.n >= 30
    assert model.assignment[silent] == {"limit": 10}
    run = simulate(model, hours=24 * 7, seed=1, drain_hours=48)
    waits = [o.waited for o in run.outcomes if o.department == manual]
    assert waits and statistics.median(waits) > 0
    assert any(o.resolved is not None for o in run.outcomes)


@pytest.mark.django_db
def test_the_api_and_the_admin_take_a_routing_strategy_and_refuse_a_bad_one(staff_lead):
    check_scenario_changes_api(
        staff_lead,
        {"routing_strategy": {"3": "round_robin", "4": "manual"}},
        [{"routing_strategy": {"3": "fastest"}}],
    )
    fields = {"name": "Turns", "fit_days": 90, "test_days": 30, "days": 30, "replications": 5}
    bad = {"routing_strategy": {"3": "fastest"}}
    form = ScenarioForm(data={**fields, "seed": 1, "changes": json.dumps(bad)})
    assert not form.is_valid()
    assert "A routing strategy is one of manual, round_robin" in str(form.errors["changes"])


def test_an_agent_off_shift_gets_no_turn():
    """Two agents, one of them on duty at every hour: round robin gives every request to the
    one on duty, an M/M/1 queue (0.5 an hour, an exponential hour: a mean wait of 1 h)."""
    model = queue_model(per_hour=0.5, agents=2, service=StepDist("exponential", {"mean": HOUR}))
    model.assignment = {"d": {"strategy": "round_robin", "limit": 1000}}
    model.staffing = {"d": [1] * 24}
    wait = replicate(model, days=60, replications=20, seed=1, warmup_days=2)["wait_mean_h"]
    assert wait.low <= 1.0 <= wait.high
