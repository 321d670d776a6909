"""Scenarios: each change does what it says to the model, runs beside the as-is model with the
same seeds, and a bad change is refused naming it."""

import pytest

from apps.improvement.staffing.erlang import erlang_c
from apps.simulation.changes import InvalidChange
from apps.simulation.engine import HOUR
from apps.simulation.model import StepDist
from apps.simulation.scenarios import agent_hours, apply, compare
from tests.support.simulation import fixed, queue_model


def mmc(agents: int = 3):
    return queue_model(
        per_hour=2.0, agents=agents, service=StepDist(kind="exponential", params={"mean": HOUR})
    )


def erlang_wait_h(agents: int) -> float:
    return erlang_c(agents, 2.0) / (agents - 2.0)


def test_one_more_agent_shortens_the_wait_as_erlang_c_says_and_costs_its_hours():
    result = compare(mmc(), {"agents": {"d": 4}}, days=30, replications=12, seed=5)
    before, after = result.as_is["wait_mean_h"], result.scenario["wait_mean_h"]
    assert before.low <= erlang_wait_h(3) <= before.high
    assert after.low <= erlang_wait_h(4) <= after.high
    assert after.high < before.low
    # Always open (no calendar): one more agent for 30 days is 720 agent hours.
    assert result.agent_hours[1] - result.agent_hours[0] == pytest.approx(30 * 24)


def test_the_same_seed_gives_the_same_comparison():
    first = compare(mmc(), {"arrival_growth": 0.1}, days=5, replications=3, seed=2)
    again = compare(mmc(), {"arrival_growth": 0.1}, days=5, replications=3, seed=2)
    assert first == again


def test_growth_routing_bot_coverage_and_targets_change_the_model_as_named():
    model = mmc()
    model.capacity["e"] = 2
    model.transitions["new"] = {"queued": 0.9, "bot_answered": 0.1}
    changed = apply(
        model,
        {
            "arrival_growth": 0.5,
            "route": {"c": "e"},
            "bot_coverage": 0.3,
            "resolution_hours": {"3": 4},
        },
    )
    assert changed.arrivals["c"][0] == pytest.approx(3.0)
    assert changed.routes["c|"] == {"e": 1.0}
    assert changed.transitions["new"] == pytest.approx({"queued": 0.7, "bot_answered": 0.3})
    assert changed.resolution_targets["3"] == 4 * HOUR
    # The as-is model is left as it was.
    assert model.arrivals["c"][0] == 2.0 and model.transitions["new"]["bot_answered"] == 0.1


def test_a_skipped_step_passes_its_share_to_where_it_led():
    model = queue_model(per_hour=1.0, agents=50, service=fixed(1800))
    model.transitions["new"] = {"awaiting_approval": 0.4, "queued": 0.6}
    model.transitions["awaiting_approval"] = {"queued": 0.75, "cancelled": 0.25}
    model.durations["awaiting_approval"] = fixed(10 * HOUR)
    changed = apply(model, {"skip_states": ["awaiting_approval"]})
    assert changed.transitions["new"] == pytest.approx({"queued": 0.9, "cancelled": 0.1})
    result = compare(model, {"skip_states": ["awaiting_approval"]}, days=10, replications=3, seed=1)
    assert result.scenario["ttr_p90_h"].mean < result.as_is["ttr_p90_h"].mean


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"staff": {"d": 2}}, "staff"),
        ({"agents": {"nowhere": 2}}, "agents"),
        ({"agents": {"d": -1}}, "agents"),
        ({"agents": {"d": 2.5}}, "agents"),
        ({"agents": [2]}, "agents"),
        ({"arrival_growth": "lots"}, "arrival_growth"),
        ({"arrival_growth": -1}, "arrival_growth"),
        ({"route": {"nope": "d"}}, "route"),
        ({"route": {"c": "nowhere"}}, "route"),
        ({"bot_coverage": 1.5}, "bot_coverage"),
        ({"skip_states": ["in_progress"]}, "skip_states"),
        ({"skip_states": "assigned"}, "skip_states"),
        ({"resolution_hours": {"3": 0}}, "resolution_hours"),
    ],
)
def test_a_bad_change_is_refused_naming_it(changes, field):
    with pytest.raises(InvalidChange) as refused:
        apply(mmc(), changes)
    assert refused.value.details["field"] == field


def test_agent_hours_count_open_time_only():
    model = mmc(agents=2)
    model.open_hours = [1.0 if 9 <= h % 24 < 17 and h < 120 else 0.0 for h in range(168)]
    # Two agents, 8 open hours on each of 5 weekdays: 80 agent hours a week.
    assert agent_hours(model, 7) == pytest.approx(80)
