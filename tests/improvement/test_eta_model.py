"""The boosted ETA model on synthetic logs whose answers are known by construction: it beats
the baselines where there is structure, matches them where there is none, and cannot see the
future of a prefix."""

import random
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from apps.improvement.eta import guard
from apps.improvement.eta.boosted import BoostedModel, matrix
from apps.improvement.eta.context import attach_load
from apps.improvement.eta.encoding import Encoder
from apps.improvement.eta.evaluation import evaluate
from apps.improvement.eta.office import OfficeHours
from apps.improvement.eta.report import format_report
from apps.improvement.eta.traces import END, Step, Trace, chronological_split, samples
from apps.sla.business_time import (
    Schedule,
    add_business_seconds,
    business_seconds_between,
    is_open,
)
from tests.improvement.synthetic import (
    START,
    activity_log,
    department_log,
    deterministic,
    memoryless,
)

# Office hours as the demo's: 08:00-12:00 and 13:00-18:00 on weekdays, Berlin.
OFFICE = Schedule(
    tz=ZoneInfo("Europe/Berlin"),
    weekly=[((time(8), time(12)), (time(13), time(18)))] * 5 + [(), ()],
)


def test_the_split_is_chronological_by_case_start():
    traces = department_log(cases=10)
    train, test = chronological_split(list(reversed(traces)), 0.7)
    assert [t.case for t in train] == [f"C{n}" for n in range(7)]
    assert [t.case for t in test] == ["C7", "C8", "C9"]
    assert max(t.start for t in train) < min(t.start for t in test)


def test_every_prefix_is_a_sample_and_the_full_one_predicts_the_end():
    trace = department_log(cases=1)[0]
    found = list(samples([trace]))
    assert [s.length for s in found] == [1, 2, 3, 4, 5]
    assert [s.next_activity for s in found] == ["route", "assign", "start", "resolve", END]
    assert found[0].remaining_seconds == (trace.end - trace.start).total_seconds()
    assert found[-1].remaining_seconds == 0


def test_on_the_desk_the_step_that_ends_the_case_is_the_last_next_step():
    trace = department_log(cases=1)[0]
    trace.open_states = frozenset({"new", "queued", "assigned", "in_progress"})
    assert [s.next_activity for s in samples([trace])][-1] == "resolve"


def _cut(traces: list[Trace], at) -> list[Trace]:
    """The log as it stood at `at`: later events gone, cases not yet ended are open."""
    out = []
    for trace in traces:
        steps = [s for s in trace.steps if s.at <= at]
        if steps:
            ended = trace.end if trace.end <= at else None
            out.append(replace(trace, steps=steps, end=ended, load=None))
    return out


def test_no_information_from_after_the_prefix_reaches_its_row():
    """Short cases run a -> b, long ones a -> c: the future gives the answer away. A prefix's
    row is the same whether the log is read whole or cut at the prefix's time (its own later
    events, and other cases' later events, unknown)."""
    traces = activity_log(
        60, lambda rng, done: None if len(done) == 2 else ("a" if not done else rng.choice("bc"))
    )
    attach_load(traces)
    encoder = Encoder.fit(list(samples(traces)))
    for trace in traces[20:40]:
        for index, step in enumerate(trace.steps):
            whole = encoder.rows(trace, [index])[0]
            cut = _cut(traces, step.at)
            attach_load(cut)
            mine = next(t for t in cut if t.case == trace.case)
            assert encoder.rows(mine, [index])[0] == pytest.approx(whole, nan_ok=True)


def _desk_row(encoder: Encoder, trace: Trace, index: int):
    """A prefix's row as the model reads it: encoded, then the office-hours columns filled."""
    row = np.array([encoder.rows(trace, [index])[0]], dtype=float)
    encoder.fill_office_hours(row, [trace.steps[index].at], [trace.start])
    return row[0]


def test_no_information_from_after_the_prefix_reaches_a_desk_row():
    """The same on a desk-like log (departments, states that stay open, assignees): the open
    work counts, the queue in the prefix's department and state, the department's waiting,
    worked-on and with-the-customer cases, its busy agents, the office-hours columns and the
    hour of the week are those of the log cut at the prefix's time."""
    open_states = frozenset({"new", "queued", "assigned", "in_progress", "pending_customer"})
    traces = []
    for trace in department_log(cases=80):
        steps = [
            replace(step, resource=f"{step.department}-{n % 2}" if n >= 2 else None)
            for n, step in enumerate(trace.steps)
        ]
        traces.append(replace(trace, steps=steps, open_states=open_states))
    attach_load(traces)
    encoder = Encoder.fit(list(samples(traces)), hours=OfficeHours(OFFICE))
    for name in ("queue_length", "department_waiting", "department_working"):
        column = encoder.names.index(name)
        assert any(encoder.rows(t, [i])[0][column] > 0 for t in traces for i in (1, 2, 3)), name
    busy = encoder.names.index("department_busy_agents")
    assert {encoder.rows(t, [3])[0][busy] for t in traces} >= {0, 1, 2}
    assert "office_hours_elapsed" in encoder.names
    for trace in traces[30:45]:
        for index, step in enumerate(trace.steps):
            whole = _desk_row(encoder, trace, index)
            assert not np.isnan(whole[encoder.names.index("office_open")])
            cut = _cut(traces, step.at)
            attach_load(cut)
            mine = next(t for t in cut if t.case == trace.case)
            assert _desk_row(encoder, mine, index) == pytest.approx(whole, nan_ok=True)


def test_the_department_counts_follow_the_states():
    """Three cases in one department: one waits for an agent, two are being worked on by the
    same agent, then one of them waits for the customer; a fourth case sees exactly that."""
    at = START
    open_states = frozenset({"queued", "in_progress", "pending_customer"})

    def case(name, *moves):
        steps = [Step(a, s, at + timedelta(minutes=m), "d", r) for a, s, m, r in moves]
        return Trace(case=name, steps=steps, end=None, open_states=open_states)

    traces = [
        case("A", ("route", "queued", 0, None)),
        case("B", ("start", "in_progress", 1, "x")),
        case("C", ("start", "in_progress", 2, "x"), ("ask", "pending_customer", 5, "x")),
        case("D", ("route", "queued", 4, None), ("start", "in_progress", 6, "y")),
    ]
    attach_load(traces)
    # D at minute 4: A waits, B and C are worked on by x (one busy agent), nobody with the
    # customer yet; at minute 6 C waits for the customer (D itself is never counted).
    assert traces[3].load[0][4:] == (1, 2, 0, 1)
    assert traces[3].load[1][4:] == (1, 1, 1, 1)


def test_office_hours_arithmetic_matches_the_calendar():
    """The fast office-hours columns agree with apps.sla.business_time, across a weekend, the
    lunch break and a DST change."""
    hours = OfficeHours(OFFICE)
    rng = random.Random(3)
    moments = [START + timedelta(minutes=rng.uniform(0, 120 * 1440)) for _ in range(60)]
    amounts = [rng.choice([0.0, 30.0, 3600.0, 30000.0, 400000.0]) for _ in moments]
    found = hours.wall_after([m.timestamp() for m in moments], amounts)
    for moment, amount, wall in zip(moments, amounts, found, strict=True):
        expected = add_business_seconds(OFFICE, moment, amount) if amount else moment
        assert wall == pytest.approx(expected.timestamp(), abs=1e-3)
    starts = [m - timedelta(hours=rng.uniform(0, 200)) for m in moments]
    columns = hours.columns([m.timestamp() for m in moments], [s.timestamp() for s in starts])
    for row, moment, start in zip(columns, moments, starts, strict=True):
        assert row[0] == float(is_open(OFFICE, moment))
        assert row[-1] * 3600 == pytest.approx(business_seconds_between(OFFICE, start, moment))
    # A Saturday noon (Berlin, winter): 44 hours until Monday 08:00.
    saturday = datetime(2026, 1, 10, 11, 0, tzinfo=UTC).timestamp()
    assert hours.columns([saturday], [saturday])[0][:2] == pytest.approx([0.0, 44.0])


def test_the_model_cannot_see_the_future_end_of_a_case():
    """After "a" the case goes on to "b" or "c" at random: no model can tell which."""
    traces = activity_log(
        600, lambda rng, done: None if len(done) == 2 else ("a" if not done else rng.choice("bc"))
    )
    report = evaluate(traces, share=0.7)
    first = report["next_step"]["model"]["by_length"][1]["mean"]
    assert first < 0.65  # a coin toss, give or take the test's 180 cases
    assert report["next_step"]["model"]["by_length"][2]["mean"] == 1.0  # then the end


def test_a_deterministic_process_is_predicted_exactly():
    report = evaluate(activity_log(300, deterministic), share=0.7)
    assert report["next_step"]["model"]["accuracy"] == 1.0
    assert report["next_step"]["markov"]["accuracy"] == 1.0


def test_a_memoryless_process_is_no_better_than_the_baselines():
    report = evaluate(activity_log(800, memoryless), share=0.7)
    best_next = max(report["next_step"][k]["accuracy"] for k in ("markov", "most_frequent"))
    assert report["next_step"]["model"]["accuracy"] <= best_next + 0.03
    naive = min(
        report["remaining"][k]["mae_days"] for k in ("mean_by_length", "median_by_last_activity")
    )
    assert report["remaining"]["model"]["mae_days"] >= 0.9 * naive


def test_the_model_beats_the_baselines_where_department_and_priority_set_the_pace():
    traces = department_log()
    for trace in traces:
        trace.attributes = {"priority": trace.priority}
    report = evaluate(traces, share=0.7)
    assert report["cases"] == {"train": 280, "test": 120}
    naive = min(
        report["remaining"][k]["mae_days"] for k in ("mean_by_length", "median_by_last_activity")
    )
    assert report["remaining"]["model"]["mae_days"] < 0.5 * naive
    assert report["next_step"]["model"]["accuracy"] == 1.0
    assert report["breach"]["model"]["auc"] > 0.9 > report["breach"]["rate_by_last_activity"]["auc"]
    assert 0.6 < report["p90_coverage"] <= 1.0
    lines = format_report(report)
    assert any(line.strip().startswith("all") for line in lines)
    assert any("calibration" in line for line in lines)


def test_the_model_explains_a_risk_by_the_features_that_raise_it():
    traces = department_log()
    for trace in traces:
        trace.attributes = {"priority": trace.priority}
        trace.target_seconds = 50 * 3600.0
        trace.breached = (trace.end - trace.start).total_seconds() > trace.target_seconds
    attach_load(traces)
    fitted = BoostedModel.fit(list(samples(traces)))
    slow = next(t for t in traces if t.steps[0].department == "slow" and t.priority == 4)
    sample = next(s for s in samples([slow]) if s.index == 1)
    row = matrix(fitted.encoder, [sample])[0]
    assert fitted.predict_rows(row[None, :]).risk[0] > 0.9
    reasons = fitted.explain(row)
    assert reasons and {r["feature"] for r in reasons} & {"department", "attribute:priority"}
    assert BoostedModel.loads(fitted.dumps()).predict_rows(row[None, :]).risk[0] > 0.9


def test_calibration_on_the_latest_fifth_and_the_chain_where_it_guessed_better():
    """With enough cases the model calibrates its risk and P90 on the latest fifth of the
    training cases, and chooses there how sure the trees must be to overrule the Markov
    chain."""
    traces = department_log(cases=900)
    for trace in traces:
        trace.attributes = {"priority": trace.priority}
        trace.target_seconds = 50 * 3600.0
        trace.breached = (trace.end - trace.start).total_seconds() > trace.target_seconds
    attach_load(traces)
    train, test = chronological_split(traces, 0.7)
    fitted = BoostedModel.fit(list(samples(train)))
    assert {"isotonic", "p90_shift", "chain", "margins", "naive"} <= set(fitted.parts)
    route = float(fitted.encoder.activities.index("route") + 1)
    assert fitted.parts["chain"][route] == "assign"
    assert set(fitted.parts["margins"].values()) <= {*guard.MARGINS, None}
    tested = list(samples(test))
    predicted = fitted.predict(tested)
    assert predicted.next_activity == [s.next_activity for s in tested]
    covered = [s.remaining_seconds <= p90 for s, p90 in zip(tested, predicted.p90, strict=True)]
    assert 0.8 <= sum(covered) / len(covered) <= 1.0
    assert all(0.0 <= risk <= 1.0 for risk in predicted.risk)


def test_the_trees_overrule_the_chain_only_when_surer_by_the_margin():
    traces = activity_log(300, memoryless)
    fitted = BoostedModel.fit(list(samples(traces)))
    x = matrix(fitted.encoder, list(samples(traces)))
    column = x[:, fitted.encoder.names.index("last_activity")]
    chain = {code: "a" for code in set(column.tolist())}
    trees = fitted.parts["next"]
    probabilities = trees.predict_proba(x)
    never = dict.fromkeys(chain, None)
    always = dict.fromkeys(chain, -1.5)
    assert set(guard.overruled(probabilities, trees.classes_, column, chain, never)) == {"a"}
    found = guard.overruled(probabilities, trees.classes_, column, chain, always)
    assert found == [str(a) for a in trees.predict(x)]


def test_a_prefix_seen_later_counts_the_wait():
    trace = Trace(case="x", steps=[Step("a", "a", START)], end=None)
    encoder = Encoder(activities=["a"])
    names = encoder.names
    row = encoder.rows(trace, [0], at=START + timedelta(hours=3))[0]
    assert row[names.index("waiting_hours")] == 3.0
    assert row[names.index("elapsed_hours")] == 3.0
