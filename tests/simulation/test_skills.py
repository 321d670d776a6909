"""Agents' skills: a category only some agents can work waits for them (a known queue), the
skills are found in a generated history, a scenario adds skilled agents, and a move between
departments lends only agents who can work the receiving department's categories."""

import statistics
from datetime import UTC, datetime, timedelta

import pytest

from apps.demo.history import generate_history
from apps.simulation.changes import InvalidChange, check
from apps.simulation.discovery import discover
from apps.simulation.engine import HOUR, simulate
from apps.simulation.kpis import interval
from apps.simulation.model import HOURS_PER_WEEK, StepDist
from apps.simulation.scenarios import apply
from apps.simulation.skills import lender, tokens
from apps.simulation.staffing_moves import Judged, moved_staffing, suggest_moves
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, DepartmentFactory
from tests.support.simulation import check_scenario_changes_api, fixed, queue_model, staffing_page

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def two_categories(*, skills: dict | None) -> object:
    """Department d: category "a" at 0.2 an hour, "b" at 0.5 an hour, an hour's fixed work
    each; three agents, of whom (with `skills`) two work only "a" and one only "b"."""
    model = queue_model(per_hour=0.2, agents=3, service=fixed(HOUR))
    model.arrivals = {"a": [0.2] * HOURS_PER_WEEK, "b": [0.5] * HOURS_PER_WEEK}
    model.priorities = {"a": {"3": 1.0}, "b": {"3": 1.0}}
    model.routes = {"a|": {"d": 1.0}, "b|": {"d": 1.0}, "|": {"d": 1.0}}
    model.skills = skills or {}
    return model


def mean_waits(model, category: str, replications: int = 20) -> list[float]:
    hours, warmup = 24 * 60, 2 * 24 * HOUR
    waits = []
    for seed in range(1, replications + 1):
        run = simulate(model, hours=hours, seed=seed, drain_hours=48)
        mine = [o.waited for o in run.outcomes if o.category == category and o.arrived > warmup]
        waits.append(statistics.fmean(mine) / HOUR)
    return waits


def test_a_category_only_one_agent_can_work_waits_for_that_agent():
    """With skills, "b" is an M/D/1 queue of its own (load 0.5): Pollaczek-Khinchine's mean
    wait, rho s / (2 (1 - rho)) = 0.5 h, lies in the simulated interval, while the two agents
    of "a" (load 0.2 on two) are idle most of the time. The same agents as one pool (no skill
    data, as before) make "b" wait a few minutes at most."""
    skilled = two_categories(skills={"d": {"a": 2, "b": 1}})
    waits = interval(mean_waits(skilled, "b"))
    assert waits.low <= 0.5 <= waits.high, waits
    run = simulate(skilled, hours=24 * 30, seed=3, drain_hours=48)
    busy = sum(run.busy["d"]) / (3 * 24 * 30 * HOUR)
    assert busy == pytest.approx((0.2 + 0.5) / 3, abs=0.05)
    pooled = interval(mean_waits(two_categories(skills=None), "b", replications=5))
    assert pooled.high < 0.1


def test_with_skills_no_request_waits_while_a_skilled_agent_is_free():
    """A request of "b" waits only while the one agent of "b" is busy: its wait ends exactly
    when that agent finishes an hour's work, so every wait is under an hour's work per request
    ahead of it."""
    skilled = two_categories(skills={"d": {"a": 2, "b": 1}})
    run = simulate(skilled, hours=24 * 20, seed=5, drain_hours=100)
    b = sorted((o for o in run.outcomes if o.category == "b"), key=lambda o: o.arrived)
    # One server, fixed hour's work: each starts when it arrives or when the one before ends.
    free_at = 0.0
    for outcome in b:
        start = max(outcome.arrived, free_at)
        assert outcome.waited == pytest.approx(start - outcome.arrived)
        free_at = start + HOUR


def test_a_category_nobody_in_the_department_can_work_is_worked_anyway():
    model = two_categories(skills={"d": {"a": 3}})
    run = simulate(model, hours=24 * 5, seed=2, drain_hours=48)
    assert all(o.resolved is not None for o in run.outcomes if o.category == "b")


def test_skills_scenario_adds_agents_able_to_work_a_category_and_is_checked():
    model = two_categories(skills={"d": {"a": 2, "b": 1}})
    changed = apply(model, {"skills": {"d": {"b": 1}}})
    assert changed.capacity["d"] == 4 and changed.skills["d"] == {"a": 2, "b": 2}
    assert sorted(map(sorted, filter(None, tokens(changed, "d", 4)))) == [
        ["a"],
        ["a"],
        ["b"],
        ["b"],
    ]
    before = interval(mean_waits(model, "b", replications=5))
    after = interval(mean_waits(changed, "b", replications=5))
    assert after.high < before.low
    for bad, field in (
        ({"skills": {"d": {"b": 0}}}, "skills"),
        ({"skills": {"d": {"": 1}}}, "skills"),
        ({"skills": {"d": {"a,": 1}}}, "skills"),
        ({"skills": ["d"]}, "skills"),
    ):
        with pytest.raises(InvalidChange) as refused:
            check(bad)
        assert refused.value.details["field"] == field
    with pytest.raises(InvalidChange, match="category"):
        apply(model, {"skills": {"d": {"z": 1}}})
    with pytest.raises(InvalidChange, match="department"):
        apply(model, {"skills": {"x": {"a": 1}}})
    # "*": agents who can work anything; with shifts, every hour has them.
    model.staffing = {"d": [3] * 24}
    anyone = apply(model, {"skills": {"d": {"*": 2}}})
    assert anyone.capacity["d"] == 5 and anyone.staffing["d"] == [5] * 24
    assert anyone.skills["d"] == {"a": 2, "b": 1}


def _judged(staffing: dict[str, list[int]], met: dict[str, bool]) -> Judged:
    return Judged(staffing=staffing, sla={}, utilisation={}, met=met)


def test_a_move_lends_only_agents_who_can_work_the_receiving_departments_categories():
    """Department s has spare agents, t misses its target: s's agents work only "a", t works
    "b": no move, and the refusal says "b" is missing. With one agent of s able to work "b",
    that one is lent and the other refused."""
    model = two_categories(skills=None)
    model.capacity = {"s": 3, "t": 1}
    model.routes = {"a|": {"s": 1.0}, "b|": {"t": 1.0}, "|": {"s": 1.0}}
    as_is = _judged({"s": [3], "t": [1]}, {"s": True, "t": False})
    optimised = _judged({"s": [1], "t": [3]}, {"s": True, "t": True})
    # No skill data: the move of two agents, as before.
    moves = suggest_moves(as_is, optimised, 24, lender(model))
    assert [(m.source, m.target, m.agents, m.missing) for m in moves] == [("s", "t", 2, [])]
    model.skills = {"s": {"a": 3}}
    moves = suggest_moves(as_is, optimised, 24, lender(model))
    assert [(m.agents, m.missing) for m in moves] == [(2, ["b"])]
    assert moved_staffing(as_is.staffing, moves, 24) == as_is.staffing
    model.skills = {"s": {"a": 2, "a,b": 1}}
    moves = suggest_moves(as_is, optimised, 24, lender(model))
    assert sorted((m.agents, m.missing) for m in moves) == [(1, []), (1, ["b"])]
    assert moved_staffing(as_is.staffing, moves, 24) == {"s": [2], "t": [2]}


@pytest.mark.django_db
def test_discovery_finds_who_can_work_a_category_in_a_generated_history(office_policy):
    """One department of three agents and two categories; only the first two agents work the
    second category (the generator's `eligible`). Discovery finds the third restricted to the
    other categories, nothing in the other department, where anyone works anything; the model
    runs with the skills."""
    skilled_department, other = DepartmentFactory(), DepartmentFactory()
    agents = AgentFactory.create_batch(3, departments=[skilled_department])
    AgentFactory.create_batch(2, departments=[other])
    common = CategoryFactory(default_department=skilled_department)
    special = CategoryFactory(default_department=skilled_department)
    CategoryFactory(default_department=other)
    CustomerFactory.create_batch(3)
    eligible = {special.pk: {agents[0].pk, agents[1].pk}}
    generate_history(requests=700, days=21, seed=7, now=NOW, eligible=eligible)
    model = discover(start=NOW - timedelta(days=21), end=NOW)
    department = str(skilled_department.pk)
    groups = model.skills[department]
    (key,) = groups
    assert str(common.pk) in key.split(",") and str(special.pk) not in key.split(",")
    # One agent of three (scaled with the requests they work at once, if more).
    assert groups[key] == round(model.capacity[department] / 3)
    assert str(other.pk) not in model.skills
    # The other department's agents can be lent anywhere; the skilled one's generalists at least.
    assert lender(model)(str(other.pk), department) == (None, [])
    able, _missing = lender(model)(department, str(other.pk))
    assert able >= model.capacity[department] - groups[key]
    run = simulate(model, hours=24 * 7, seed=1, drain_hours=48)
    assert any(o.resolved is not None for o in run.outcomes)


def test_the_staffing_search_refuses_a_move_the_agents_cannot_do_and_says_why(admin_client):
    """Department d has agents to spare but they work only its own category; e, short of
    agents, works another: the search suggests no move it cannot make, the admin page says
    which category the agents lack."""
    from apps.simulation.staffing import optimise_staffing

    model = queue_model(per_hour=2.0, agents=8, service=StepDist("exponential", {"mean": HOUR}))
    model.arrivals["e"] = list(model.arrivals["c"])
    model.priorities["e"] = {"3": 1.0}
    model.routes = {"c|": {"d": 1.0}, "e|": {"e": 1.0}}
    model.capacity = {"d": 8, "e": 2}
    model.skills = {"d": {"c": 8}}
    plan = optimise_staffing(
        model, target_share=0.8, budget=40, days=6, replications=3, seed=3, band_hours=6
    )
    assert plan.moves and all(move.missing == ["e"] for move in plan.moves)
    assert plan.moved is None
    page = staffing_page(admin_client, plan)
    move = plan.moves[0]
    assert (
        f"Not moved: {move.agents} agents from d to e, {move.start:02d}:00-{move.end:02d}:00: "
        "they cannot work e"
    ) in page


@pytest.mark.django_db
def test_the_api_takes_skills_and_first_response_targets(staff_lead):
    check_scenario_changes_api(
        staff_lead,
        {"skills": {"3": {"7": 2, "7,8": 1, "*": 1}}, "first_response_hours": {"2": 2}},
        [
            {"skills": {"3": {"7": 0}}},
            {"skills": {"3": {",": 1}}},
            {"first_response_hours": {"2": -1}},
        ],
    )
