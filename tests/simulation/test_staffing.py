"""Staffing that optimises: shifts in the engine; on an M/M/c queue the search returns Erlang
C's agents and never a staffing whose simulated SLA misses the target; moves go from the
overstaffed department to the short one; the budget holds; the same seed, the same answer."""

import math
from io import StringIO

import pytest
from django.core.management import call_command

from apps.improvement.staffing.erlang import erlang_c
from apps.simulation.changes import InvalidChange, check
from apps.simulation.engine import HOUR, simulate
from apps.simulation.kpis import replicate
from apps.simulation.model import StepDist
from apps.simulation.reports import staffing_json
from apps.simulation.scenarios import agent_hours, apply
from apps.simulation.staffing import optimise_staffing
from tests.support.simulation import fixed, queue_model, staffing_page

SERVICE = StepDist(kind="exponential", params={"mean": HOUR})
# 2 requests an hour, an hour of work each, resolved within 2 h for 80 % of them.
ARRIVALS, TARGET_H, SHARE = 2.0, 2.0, 0.8
RUN = {"days": 20, "replications": 5, "seed": 3, "band_hours": 6}


def resolved_within_target(agents: int) -> float:
    """M/M/c, mu = 1/h: P(wait + service <= T). The wait is 0 with probability 1 - C, else
    exponential at (c mu - lambda); the sum of two exponentials is hypoexponential."""
    waits, theta, t = erlang_c(agents, ARRIVALS), agents - ARRIVALS, TARGET_H
    late_after_wait = (
        math.exp(-t) * (1 + t)
        if theta == 1
        else (theta * math.exp(-t) - math.exp(-theta * t)) / (theta - 1)
    )
    return 1 - (1 - waits) * math.exp(-t) - waits * late_after_wait


def erlang_c_agents() -> int:
    agents = math.floor(ARRIVALS) + 1
    while resolved_within_target(agents) < SHARE:
        agents += 1
    return agents


def mmc(agents: int):
    model = queue_model(per_hour=ARRIVALS, agents=agents, service=SERVICE)
    model.resolution_targets = {"3": TARGET_H * HOUR}
    return model


def test_shifts_take_agents_off_duty_after_the_request_in_hand():
    model = queue_model(per_hour=1, agents=2, service=fixed(1200))
    model.staffing = {"d": [0] * 12 + [2] * 12}
    run = simulate(model, hours=24 * 6, seed=2, drain_hours=24)
    busy = run.busy["d"]
    # Nobody starts work off duty: only a request taken before midnight spills into 00:00.
    assert all(busy[h] == 0 for h in range(len(busy)) if 1 <= h % 24 < 12)
    assert sum(busy[h] for h in range(len(busy)) if h % 24 >= 12) > 0
    started_waiting = [o for o in run.outcomes if 1 <= (o.arrived // HOUR) % 24 < 11]
    assert started_waiting and all(o.waited > 0 for o in started_waiting)
    # Agent hours count the hours on duty only: 12 hours x 2 agents a day.
    assert agent_hours(model, 7) == 7 * 12 * 2


def test_agents_by_hour_as_a_scenario_change():
    model = apply(mmc(3), {"agents": {"d": [1] * 8 + [4] * 16}})
    assert model.staffing["d"][8] == 4 and model.capacity["d"] == 4
    with pytest.raises(InvalidChange):
        check({"agents": {"d": [1, 2]}})
    with pytest.raises(InvalidChange):
        check({"optimise_staffing": {"band_hours": 5}})
    check({"optimise_staffing": {"target_share": 0.95, "band_hours": 4, "budget": 100}})


def test_on_an_mmc_queue_the_search_returns_erlang_cs_agents_and_meets_the_target():
    expected = erlang_c_agents()
    assert expected == 4  # 0.744 within 2 h with 3 agents, 0.844 with 4
    plan = optimise_staffing(mmc(8), target_share=SHARE, budget=200, **RUN)
    agents = plan.optimised.staffing["d"]
    assert all(abs(n - expected) <= 1 for n in agents), agents
    assert plan.optimised.met == {"d": True}
    assert plan.optimised.sla["d"].low >= SHARE
    assert plan.agent_hours[1] < plan.agent_hours[0] == 8 * 24 * RUN["days"]
    assert not plan.exhausted and plan.runs <= plan.budget
    # Simulated again with other seeds, the staffing still meets the target.
    model = mmc(max(agents))
    model.staffing = {"d": [agents[h // RUN["band_hours"]] for h in range(24)]}
    again = replicate(model, days=RUN["days"], replications=5, seed=101, warmup_days=2)
    assert again["sla_resolution_share"].mean >= SHARE


def two_departments(overstaffed: int, short: int):
    model = mmc(overstaffed)
    model.arrivals["e"] = list(model.arrivals["c"])
    model.priorities["e"] = {"3": 1.0}
    model.routes = {"c|": {"d": 1.0}, "e|": {"e": 1.0}}
    model.capacity = {"d": overstaffed, "e": short}
    return model


def test_agents_move_from_the_overstaffed_department_to_the_short_one():
    plan = optimise_staffing(two_departments(8, 2), target_share=SHARE, budget=300, **RUN)
    assert plan.as_is.met == {"d": True, "e": False}
    assert plan.moves
    assert {(move.source, move.target) for move in plan.moves} == {("d", "e")}
    # The check of the moves: the short department's SLA rises, the other's still meets.
    assert plan.moved.sla["e"].mean > plan.as_is.sla["e"].mean + 0.1
    assert plan.moved.met["d"]
    assert sum(plan.moved.staffing["d"]) + sum(plan.moved.staffing["e"]) == 4 * (8 + 2)
    assert plan.optimised.met == {"d": True, "e": True}


def test_the_budget_is_respected_and_said():
    replications = RUN["replications"]
    smallest = 1 + 3 * replications
    with pytest.raises(InvalidChange):
        optimise_staffing(mmc(8), target_share=SHARE, budget=smallest - 1, **RUN)
    plan = optimise_staffing(mmc(8), target_share=SHARE, budget=smallest + replications, **RUN)
    assert plan.runs <= plan.budget == smallest + replications
    assert plan.exhausted
    assert staffing_json(plan)["exhausted"] is True


SHORT = {**RUN, "days": 6, "replications": 3}


def test_the_same_seed_gives_the_same_answer():
    first = optimise_staffing(two_departments(6, 3), target_share=SHARE, budget=40, **SHORT)
    again = optimise_staffing(two_departments(6, 3), target_share=SHARE, budget=40, **SHORT)
    assert staffing_json(first) == staffing_json(again)


@pytest.mark.django_db
def test_the_command_and_the_admin_show_the_plan(office_policy, admin_client):
    from apps.demo.history import generate_history
    from tests.support.simulation import make_organisation

    make_organisation(agents=2, capacity=3, customers=3)
    generate_history(requests=300, days=10, seed=5)
    out = StringIO()
    call_command(
        "simulate",
        *("--fit-days", "12", "--days", "2", "--replications", "2", "--band-hours", "12"),
        *("--optimise-staffing", "--target-share", "0.5", "--budget", "20"),
        stdout=out,
    )
    text = out.getvalue()
    assert "optimised  agents" in text and "of 20 simulation runs" in text
    plan = optimise_staffing(two_departments(8, 2), target_share=SHARE, budget=40, **SHORT)
    page = staffing_page(admin_client, plan)
    move = plan.moves[0]
    assert f"Move {move.agents} agents from d to e, {move.start:02d}:00-{move.end:02d}:00" in page


@pytest.mark.django_db
def test_a_scenario_with_optimise_staffing_runs_the_search_on_the_changed_model(monkeypatch):
    """The worker's run: validated first (here a stand-in that passes), the other changes made
    (20 % more requests), then the search instead of the side-by-side comparison."""
    from datetime import UTC, datetime

    from apps.simulation import discovery, validation
    from apps.simulation.models import ScenarioStatus
    from apps.simulation.services import do_request_scenario, do_run_scenario

    now = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
    model = two_departments(8, 2)
    model.observed = {"requests": 500}
    passed = validation.Validation(model=model, fit=(now, now), test=(now, now))
    monkeypatch.setattr(validation, "validate", lambda **kwargs: passed)
    monkeypatch.setattr(discovery, "discover", lambda **kwargs: model)
    scenario = do_request_scenario(
        user=None,
        name="Fewest agents for 20 % more",
        changes={"arrival_growth": 0.2, "optimise_staffing": {"target_share": SHARE,
                                                              "band_hours": 6, "budget": 60}},
        days=6,
        replications=3,
        seed=3,
    )  # fmt: skip
    done = do_run_scenario(scenario.pk, now=now)
    assert done.status == ScenarioStatus.DONE, done.error
    staffing = done.results["staffing"]
    assert staffing["runs"] <= staffing["budget"] == 60
    assert {(m["source"], m["target"]) for m in staffing["moves"]} == {("d", "e")}, staffing
    plain = optimise_staffing(model, target_share=SHARE, budget=60, **{**SHORT, "days": 6})
    grown = {row["department"]: row["optimised"]["agents"] for row in staffing["departments"]}
    # More requests need at least as many agents as the model as it is.
    assert sum(grown["e"]) >= sum(plain.optimised.staffing["e"])
