"""Handoffs as a step of their own: discovery recovers a generated history's consult share and
acceptance time and leaves the wait out of the state it was asked in; the OLA compliance per
department pair is a KPI, known by construction, and validated against the log."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.handoffs.models import OLAPolicy
from apps.simulation import validation
from apps.simulation.discovery import discover
from apps.simulation.engine import HOUR, simulate
from apps.simulation.handoff_steps import observed_ola
from apps.simulation.kpis import replicate
from apps.simulation.model import StepDist
from apps.simulation.side_steps import SideStep
from tests.support.handoff_history import write_consult_history
from tests.support.simulation import fixed, make_organisation, queue_model

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
DAYS, REQUESTS, SHARE = 20, 400, 0.3


@pytest.fixture
def organisation(db):
    make_organisation(agents=2, capacity=1, customers=3)


@pytest.mark.django_db
def test_discovery_recovers_the_consults_share_time_and_targets(organisation):
    made = write_consult_history(
        requests=REQUESTS, days=DAYS, now=NOW, share=SHARE, accept_minutes=60, seed=4
    )
    # No clocks in a generated log: the targets are the policy's that matches the pair.
    OLAPolicy.objects.create(
        name="Into the second",
        to_department_id=int(made["target"]),
        acceptance_minutes=60,
        completion_minutes=30,
    )
    start = NOW - timedelta(days=DAYS + 2)
    model = discover(start=start, end=NOW)
    key = f"consult|{made['source']}>{made['target']}"
    (step,) = [SideStep.from_dict(s) for s in model.side_steps]
    assert step.key == key and step.after == "in_progress" and step.department == made["target"]
    assert step.share == pytest.approx(made["consults"] / REQUESTS)
    assert step.share == pytest.approx(SHARE, abs=0.06)
    assert step.wait.median == pytest.approx(HOUR, rel=0.15)
    assert step.work.median == pytest.approx(20 * 60, rel=0.15)
    assert step.targets == {"acceptance": 3600.0, "completion": 1800.0}
    # The wait for the other department is left out of `in_progress` (40 min of work either
    # way): the side step gives it.
    assert model.durations["in_progress"].median == pytest.approx(40 * 60, rel=0.01)
    assert model.durations["in_progress"].n == REQUESTS
    # The log's OLA compliance: acceptance within the median (a half), completion within 1.5
    # times its median (lognormal, sigma 0.5: 0.79).
    log = observed_ola(model, start, NOW)
    assert log[f"ola_acceptance|{key}"] == pytest.approx(0.5, abs=0.1)
    assert log[f"ola_completion|{key}"] == pytest.approx(0.79, abs=0.1)
    kpis = replicate(model, days=DAYS, replications=3, seed=1)
    assert kpis[f"passes|{key}"].mean == pytest.approx(step.share, abs=0.05)
    assert kpis[f"ola_acceptance|{key}"].mean == pytest.approx(0.5, abs=0.08)
    assert kpis[f"ola_completion|{key}"].mean == pytest.approx(0.79, abs=0.1)
    # Validation reports the pair's OLA compliance beside the log's.
    checked = validation.validate(
        fit_start=start, split=NOW - timedelta(days=8), end=NOW, replications=3, min_requests=200
    )
    check = next(c for c in checked.checks if c.name == f"ola_acceptance|{key}")
    assert not check.relative and abs(check.error) < 0.15


@pytest.mark.django_db
def test_a_log_without_handoffs_gives_no_side_step(organisation):
    write_consult_history(requests=250, days=10, now=NOW, share=0, accept_minutes=60, seed=2)
    model = discover(start=NOW - timedelta(days=12), end=NOW)
    assert model.side_steps == []
    assert not any(
        name.startswith(("passes|", "ola_"))
        for name in replicate(model, days=2, replications=2, seed=1)
    )


def handoff_model(**step):
    model = queue_model(per_hour=1.0, agents=50, service=fixed(1800))
    model.capacity["e"] = 50
    defaults = {
        "key": "consult|d>e",
        "state": "handoff",
        "after": "in_progress",
        "share": 1.0,
        "departments": ["d"],
        "wait": StepDist(kind="lognormal", params={"mu": 8.188689, "sigma": 0.5}),
        "work": fixed(1800),
        "department": "e",
        "kind": "consult",
        "targets": {"acceptance": HOUR, "completion": 1800.0},
    }
    model.side_steps = [SideStep(**{**defaults, **step}).to_dict()]
    return model


def test_the_ola_kpi_is_known_by_construction():
    """Acceptance: a lognormal wait whose median (e^8.1887 s = 1 h) is the target, so half are
    within it; completion: exactly the 30 min target with agents to spare, so all are."""
    kpis = replicate(handoff_model(), days=20, replications=5, seed=2)
    acceptance = kpis["ola_acceptance|consult|d>e"]
    assert acceptance.low <= 0.5 <= acceptance.high
    assert acceptance.high - acceptance.low < 0.15
    assert kpis["ola_completion|consult|d>e"].mean == 1.0
    assert kpis["passes|consult|d>e"].mean == pytest.approx(1.0)
    late = replicate(handoff_model(targets={"completion": 1799.0}), days=5, replications=2, seed=2)
    assert late["ola_completion|consult|d>e"].mean == 0.0


def test_a_transfer_step_sends_the_request_to_the_accepting_department():
    model = handoff_model(
        key="transfer|d>e", kind="transfer", onto="queued", work=None, wait=fixed(600)
    )
    model.transitions["in_progress"] = {"queued": 0.5, "resolved": 0.5}
    model.routes["|d"] = {"d": 1.0}
    run = simulate(model, hours=200, seed=4, drain_hours=24)
    transferred = [o for o in run.outcomes if o.department == "e"]
    assert transferred and len(run.passages) >= len(transferred)
    assert sum(run.busy["e"]) > 0
