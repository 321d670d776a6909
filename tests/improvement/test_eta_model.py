"""The ETA model on synthetic logs whose structure is known: it must beat the naive baselines."""

from datetime import timedelta

import pytest

from apps.improvement.eta.evaluation import evaluate, format_report
from apps.improvement.eta.model import EmpiricalModel
from apps.improvement.eta.traces import Features, chronological_split, samples
from tests.improvement.synthetic import START, department_log


def test_the_split_is_chronological_by_case_start():
    traces = department_log(cases=10)
    train, test = chronological_split(list(reversed(traces)), 0.7)
    assert [t.case for t in train] == [f"C{n}" for n in range(7)]
    assert [t.case for t in test] == ["C7", "C8", "C9"]
    assert max(t.start for t in train) < min(t.start for t in test)


def test_samples_are_the_prefixes_before_the_end():
    trace = department_log(cases=1)[0]
    found = list(samples([trace]))
    assert [s.length for s in found] == [1, 2, 3, 4]
    assert [s.next_activity for s in found] == ["route", "assign", "start", "resolve"]
    assert found[0].remaining_seconds == (trace.end - trace.start).total_seconds()


def test_the_model_learns_the_department_and_priority():
    model = EmpiricalModel.fit(samples(department_log()))
    queued = dict(state="queued", category=None)
    fast_case = Features(department="fast", priority=2, elapsed_seconds=3600, **queued)
    slow_case = Features(department="slow", priority=4, elapsed_seconds=20 * 3600, **queued)
    fast = model.remaining_seconds(fast_case)
    slow = model.remaining_seconds(slow_case)
    # fast P2: three more steps of about an hour; slow P4: three steps of about 20 hours.
    assert fast == pytest.approx(3 * 3600, rel=0.15)
    assert slow == pytest.approx(60 * 3600, rel=0.15)
    assert model.next_activity(fast_case) == "assign"
    assert model.breach_risk(slow_case, 10 * 3600) == 1.0
    assert model.breach_risk(fast_case, 10 * 3600) == 0.0


def test_the_model_beats_the_naive_baselines():
    report = evaluate(department_log(), share=0.7)
    model, baseline = report["model"], report["baseline"]
    assert report["cases"] == {"train": 280, "test": 120}
    assert model["mae_seconds"] < 0.3 * baseline["mae_seconds"]
    for length, row in model["mae_by_length"].items():
        assert row["mae_seconds"] < baseline["mae_by_length"][length]["mae_seconds"]
    assert model["next_step_accuracy"] == 1.0
    assert baseline["next_step_accuracy"] == pytest.approx(0.25, abs=0.01)
    assert model["brier"] < baseline["brier"]
    assert model["auc"] > 0.95 > baseline["auc"]
    lines = format_report(report)
    assert any(line.strip().startswith("all") for line in lines)


def test_a_small_known_log_gives_known_figures():
    """Four cases, one a day: A and B (2 h and 4 h) train, C and D (2 h and 8 h) test."""
    traces = department_log(cases=4)
    for n, hours in enumerate([2, 4, 2, 8]):
        trace = traces[n]
        begin = START + timedelta(days=n)
        trace.steps = [
            trace.steps[0].__class__("submit", "new", begin, "desk"),
            trace.steps[0].__class__("resolve", "resolved", begin + timedelta(hours=hours), "desk"),
        ]
        trace.end = trace.steps[-1].at
        trace.priority = 1
    report = evaluate(traces, share=0.5, min_samples=1)
    assert report["cases"] == {"train": 2, "test": 2}
    assert report["target_seconds"] == 3 * 3600  # the median of 2 h and 4 h
    assert report["breach_rate"] == 0.5  # D breaches, C does not
    # Both predict the median of "new" (3 h): errors 1 h and 5 h.
    assert report["model"]["mae_seconds"] == 3 * 3600
    assert report["baseline"]["mae_seconds"] == 3 * 3600
    assert report["model"]["next_step_accuracy"] == 1.0
    # Model risk of more than 3 h in "new": 0.5 (A 2 h, B 4 h) -> Brier 0.25; AUC undefined
    # ties -> 0.5.
    assert report["model"]["brier"] == pytest.approx(0.25)
    assert report["model"]["auc"] == pytest.approx(0.5)
