"""Declined and expired handoffs: a refused handoff waits and leaves the request where it was
(no work by the other department, a transfer queued again at home), its share per department
pair is found in a generated history, reported as a KPI and changed by a scenario."""

import statistics
from datetime import UTC, datetime, timedelta

import pytest

from apps.simulation.changes import InvalidChange
from apps.simulation.discovery import discover
from apps.simulation.engine import HOUR, simulate
from apps.simulation.kpis import replicate
from apps.simulation.scenarios import apply, compare
from apps.simulation.side_steps import TRANSFER, SideStep, kpi_label
from tests.support.handoff_history import write_consult_history
from tests.support.simulation import (
    check_scenario_changes_api,
    fixed,
    make_organisation,
    queue_model,
)

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
KEY = "consult|d>e"


def consulting(refused_share: float):
    """Half an hour of work in d, then every request consults e: accepted after exactly 1 h
    and worked 1 h by one of e's ample agents, or (`refused_share`) refused after exactly 3 h."""
    model = queue_model(per_hour=1.0, agents=5, service=fixed(HOUR / 2))
    model.capacity["e"] = 50
    step = SideStep(
        key=KEY,
        state="handoff",
        after="in_progress",
        share=1.0,
        departments=["d"],
        wait=fixed(HOUR),
        work=fixed(HOUR),
        department="e",
        kind="consult",
        refused_share=refused_share,
        refused_wait=fixed(3 * HOUR),
    )
    model.side_steps = [step.to_dict()]
    return model


def test_a_refused_consult_waits_and_gets_no_work():
    """Accepted: 0.5 + 1 + 1 = 2.5 h to resolve; refused: 0.5 + 3 = 3.5 h, and e's agents work
    exactly one hour per accepted consult."""
    run = simulate(consulting(0.4), hours=24 * 10, seed=1, drain_hours=24)
    ttrs = [round((o.resolved - o.arrived) / HOUR, 6) for o in run.outcomes if o.resolved]
    assert set(ttrs) == {2.5, 3.5}
    refused = [p for p in run.passages if p.refused]
    accepted = [p for p in run.passages if not p.refused]
    assert ttrs.count(3.5) == len(refused) and ttrs.count(2.5) == len(accepted)
    assert sum(run.busy["e"]) == pytest.approx(len(accepted) * HOUR)
    assert all(p.waited is None and p.worked is None for p in refused)
    share = replicate(consulting(0.4), days=20, replications=10, seed=1)[f"refused|{KEY}"]
    assert share.low <= 0.4 <= share.high


def test_a_model_without_refusals_runs_as_before_and_reports_none():
    without = consulting(0.0)
    del without.side_steps[0]["refused_share"], without.side_steps[0]["refused_wait"]
    plain = simulate(without, hours=24 * 5, seed=3)
    zero = simulate(consulting(0.0), hours=24 * 5, seed=3)
    assert [o.resolved for o in plain.outcomes] == [o.resolved for o in zero.outcomes]
    assert f"refused|{KEY}" not in replicate(consulting(0.0), days=2, replications=2, seed=1)


def test_a_refused_transfer_stays_in_its_department():
    model = queue_model(per_hour=1.0, agents=5, service=fixed(HOUR / 2))
    model.capacity["e"] = 5
    model.transitions["in_progress"] = {"queued": 0.5, "resolved": 0.5}
    step = SideStep(
        key="transfer|d>e",
        state="handoff",
        after="in_progress",
        onto="queued",
        share=1.0,
        departments=["d"],
        wait=fixed(HOUR),
        department="e",
        kind=TRANSFER,
        refused_share=1.0,
        refused_wait=fixed(HOUR),
    )
    model.side_steps = [step.to_dict()]
    refused = simulate(model, hours=24 * 5, seed=2, drain_hours=24)
    assert {o.department for o in refused.outcomes if o.resolved} == {"d"}
    model.side_steps[0]["refused_share"] = 0.0
    accepted = simulate(model, hours=24 * 5, seed=2, drain_hours=24)
    assert {o.department for o in accepted.outcomes if o.resolved} == {"d", "e"}
    assert kpi_label(f"refused|{KEY}", str) == "consults from d to e, declined or expired (share)"


@pytest.mark.django_db
def test_discovery_finds_the_share_declined_or_expired_per_pair(db):
    """30 % of the requests consult the second department, 40 % of those consults are declined
    or expire after a lognormal 90 minutes (median): one step with the asked share, the
    refused share, both waits, and the waits left out of `in_progress`."""
    make_organisation(agents=2, capacity=1, customers=3)
    made = write_consult_history(
        requests=400, days=20, now=NOW, share=0.3, accept_minutes=60, seed=4, refused=0.4
    )
    model = discover(start=NOW - timedelta(days=22), end=NOW)
    (step,) = [SideStep.from_dict(s) for s in model.side_steps]
    assert step.key == f"consult|{made['source']}>{made['target']}"
    assert step.share == pytest.approx(made["consults"] / 400)
    assert step.refused_share == pytest.approx(made["refused"] / made["consults"])
    assert step.refused_share == pytest.approx(0.4, abs=0.1)
    assert step.refused_wait.median == pytest.approx(90 * 60, rel=0.2)
    assert step.wait.median == pytest.approx(HOUR, rel=0.2)
    assert model.durations["in_progress"].median == pytest.approx(40 * 60, rel=0.01)
    kpis = replicate(model, days=20, replications=3, seed=1)
    assert kpis[f"refused|{step.key}"].mean == pytest.approx(step.refused_share, abs=0.08)
    runs = simulate(model, hours=24 * 10, seed=1, drain_hours=48)
    assert statistics.fmean(p.refused for p in runs.passages) == pytest.approx(
        step.refused_share, abs=0.1
    )


def test_handoff_refusals_as_a_scenario_change():
    """Half of d's consults with e refused, after the pair's acceptance time (1 h) where the
    log shows no refusal: 0.5 + 1 = 1.5 h to resolve instead of 2.5 for those, a mean of 2 h."""
    model = consulting(0.0)
    model.side_steps[0]["refused_wait"] = None
    changed = apply(model, {"handoff_refusals": {KEY: 0.5}})
    assert changed.side_steps[0]["refused_share"] == 0.5
    assert changed.side_steps[0]["refused_wait"] == changed.side_steps[0]["wait"]
    result = compare(model, {"handoff_refusals": {KEY: 0.5}}, days=10, replications=5, seed=1)
    assert result.as_is["ttr_mean_h"].mean == pytest.approx(2.5)
    assert result.scenario["ttr_mean_h"].low <= 2.0 <= result.scenario["ttr_mean_h"].high
    assert result.scenario[f"refused|{KEY}"].low <= 0.5 <= result.scenario[f"refused|{KEY}"].high
    for bad in (
        {"handoff_refusals": {"consult|x>y": 0.1}},
        {"handoff_refusals": {"consult-d-e": 0.1}},
        {"handoff_refusals": {KEY: 2}},
        {"handoff_refusals": [KEY]},
    ):
        with pytest.raises(InvalidChange) as refused:
            apply(model, bad)
        assert refused.value.details["field"] == "handoff_refusals"


@pytest.mark.django_db
def test_the_api_takes_handoff_refusals(staff_lead):
    check_scenario_changes_api(
        staff_lead,
        {"handoff_refusals": {"consult|3>4": 0.1}},
        [{"handoff_refusals": {"consult|3>4": 1.5}}, {"handoff_refusals": {"3>4": 0.1}}],
    )
