"""The engine on processes whose answer is known: M/M/c against Erlang C, a fixed path."""

import json
import statistics

from apps.improvement.staffing.erlang import erlang_c
from apps.simulation.engine import HOUR, Arrival, simulate
from apps.simulation.kpis import BACKLOG_DAY, backlog_series, measure, replicate
from apps.simulation.model import ProcessModel, StepDist
from tests.support.simulation import fixed, queue_model


def test_mmc_queue_matches_erlang_c():
    arrivals, mean_service_h, agents = 2.0, 1.0, 3
    model = queue_model(
        per_hour=arrivals,
        agents=agents,
        service=StepDist(kind="exponential", params={"mean": mean_service_h * HOUR}),
    )
    load = arrivals * mean_service_h
    expected_wait_h = erlang_c(agents, load) / (agents / mean_service_h - arrivals)
    kpis = replicate(model, days=40, replications=20, seed=11, warmup_days=2)
    wait = kpis["wait_mean_h"]
    assert wait.low <= expected_wait_h <= wait.high, (expected_wait_h, wait)
    utilisation = kpis["utilisation|d"]
    assert abs(utilisation.mean - load / agents) < 0.05


def test_a_deterministic_path_gives_exact_times():
    model = queue_model(per_hour=0.5, agents=100, service=fixed(1800))
    model.durations["new"] = fixed(600)
    model.durations["resolved"] = fixed(7200)
    run = simulate(model, hours=200, seed=1, drain_hours=10)
    assert run.outcomes
    for outcome in run.outcomes:
        assert outcome.waited == 0
        assert outcome.resolved is not None
        assert outcome.resolved - outcome.arrived == 600 + 1800


def test_same_seed_same_result_and_the_model_goes_through_json():
    model = queue_model(
        per_hour=3, agents=2, service=StepDist(kind="lognormal", params={"mu": 7.5, "sigma": 0.8})
    )
    again = ProcessModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again == model
    first = replicate(model, days=5, replications=3, seed=5)
    assert first == replicate(again, days=5, replications=3, seed=5)
    assert first != replicate(model, days=5, replications=3, seed=6)


def test_a_transfer_releases_the_first_departments_agent():
    """Half the work is transferred to the other department (queued again): with one agent
    each, every request still gets through, so the unit held before the transfer is given back
    to its own department."""
    model = queue_model(per_hour=0.2, agents=1, service=fixed(600))
    model.capacity = {"d": 1, "e": 1}
    model.routes = {"|": {"d": 1.0}, "|d": {"e": 1.0}, "|e": {"d": 1.0}}
    model.transitions["in_progress"] = {"queued": 0.5, "resolved": 0.5}
    run = simulate(model, hours=500, seed=3, drain_hours=48)
    assert len(run.outcomes) > 50
    assert all(o.resolved is not None for o in run.outcomes)
    assert sum(run.busy["e"]) > 0


def test_the_backlog_is_the_requests_in_the_system_at_each_hour():
    """Every request stays exactly 5 h (a fixed path, agents to spare): at each hour the open
    requests are those arrived in the 5 h before, and each day's backlog is the mean of its
    hours; the replications' band is around the days' means."""
    stay = 5 * HOUR
    model = queue_model(per_hour=1.5, agents=100, service=fixed(stay - 600))
    model.durations["new"] = fixed(600)
    run = simulate(model, hours=96, seed=4, drain_hours=10)
    arrived = [o.arrived for o in run.outcomes]
    expected = [
        sum(1 for a in arrived if a <= hour * HOUR < a + stay) for hour in range(len(run.backlog))
    ]
    assert run.backlog == expected and max(expected) > 3
    row = measure(run, model, 24 * HOUR, 96)
    days = [row[f"{BACKLOG_DAY}{day}"] for day in range(3)]
    assert days == [sum(expected[h : h + 24]) / 24 for h in (24, 48, 72)]
    kpis, series = backlog_series(replicate(model, days=3, replications=4, seed=1, warmup_days=1))
    assert len(series) == 3 and not any(name.startswith(BACKLOG_DAY) for name in kpis)
    assert all(day.low <= day.mean <= day.high for day in series)
    # 1.5 arrivals an hour, 5 h each: 7.5 open on average (Little's law).
    assert abs(statistics.fmean(day.mean for day in series) - 7.5) < 1.5


def test_a_replayed_trace_arrives_as_it_says():
    """Validation replays the log's submissions: each request arrives when, and as what, the
    trace says, none from the fitted rates, none after the arrivals' end."""
    model = queue_model(per_hour=50.0, agents=100, service=fixed(600))
    trace = [
        Arrival(0.0, "c", "3"),
        Arrival(90.5, "c", "1"),
        Arrival(90.5, "other", "4"),
        Arrival(7200.0, "c", "2"),
        Arrival(4 * HOUR, "c", "3"),
    ]
    run = simulate(model, hours=3, seed=1, drain_hours=2, trace=trace)
    arrived = [(o.arrived, o.category, o.priority) for o in run.outcomes]
    assert arrived == [(0.0, "c", "3"), (90.5, "c", "1"), (90.5, "other", "4"), (7200.0, "c", "2")]
    # Ten minutes of work each, agents to spare: every request resolved ten minutes later.
    assert [o.resolved - o.arrived for o in run.outcomes] == [600.0] * 4


def test_the_path_follows_the_priority_where_the_model_has_it():
    """A priority's own shares (`state|*|*|priority`) before the state's: the urgent requests
    are cancelled here, the others go through; the category's own key with the priority wins
    over the priority's."""
    model = queue_model(per_hour=2, agents=100, service=fixed(600))
    model.priorities = {"c": {"1": 0.3, "2": 0.2, "3": 0.5}}
    model.transitions["new|*|*|1"] = {"cancelled": 1.0}
    model.transitions["new|*|*|2"] = {"cancelled": 1.0}
    model.transitions["new|c|*|2"] = {"queued": 1.0}
    run = simulate(model, hours=100, seed=4, drain_hours=10)
    by_priority = {p: [o for o in run.outcomes if o.priority == p] for p in "123"}
    assert all(by_priority.values())
    assert all(o.dropped for o in by_priority["1"])
    assert not any(o.dropped for o in by_priority["2"] + by_priority["3"])
