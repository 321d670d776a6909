"""Adding a step (`add_step`): an approval or a consult for a share of the requests leaving a
state, its time given or fitted; a bad one refused naming the field, in the API too."""

import json

import pytest

from apps.simulation.admin.figures import label as _label
from apps.simulation.admin.scenarios import ScenarioForm
from apps.simulation.changes import InvalidChange
from apps.simulation.engine import HOUR, simulate
from apps.simulation.kpis import replicate
from apps.simulation.scenarios import apply
from tests.support.api import client_for
from tests.support.simulation import fixed, queue_model

URL = "/api/v1/simulation/scenarios/"


def deterministic():
    """New 10 min, queue (no wait: ample agents), work 30 min, resolved."""
    model = queue_model(per_hour=0.5, agents=100, service=fixed(1800))
    model.durations["new"] = fixed(600)
    return model


def test_an_added_approval_with_a_fixed_time_adds_exactly_that_time():
    model = apply(
        deterministic(),
        {"add_step": {"state": "awaiting_approval", "share": 1.0, "hours": {"median": 4}}},
    )
    run = simulate(model, hours=200, seed=1, drain_hours=10)
    assert len(run.outcomes) > 50
    for outcome in run.outcomes:
        assert outcome.waited == 0
        assert outcome.resolved - outcome.arrived == pytest.approx(600 + 4 * HOUR + 1800)
        # The approval pauses the resolution clock, as `awaiting_approval` does.
        assert outcome.clock == pytest.approx(600 + 1800)
    assert len(run.passages) == len(run.outcomes)
    assert {p.key for p in run.passages} == {"awaiting_approval"}


def test_an_added_consult_holds_an_agent_of_the_consulted_department():
    model = deterministic()
    model.capacity["e"] = 1
    changed = apply(
        model,
        {
            "add_step": {
                "state": "consult",
                "department": "e",
                "share": 1.0,
                "hours": {"median": 2, "spread": 0},
            }
        },
    )
    run = simulate(changed, hours=200, seed=1, drain_hours=10)
    # After the work: 2 h of an agent of "e" (one agent, requests every 2 h on average, so
    # some wait for it); the clock runs through the consult.
    for outcome in run.outcomes:
        assert outcome.resolved - outcome.arrived >= 600 + 1800 + 2 * HOUR - 1e-6
    assert any(o.waited > 0 for o in run.outcomes)
    assert sum(run.busy["e"]) == pytest.approx(2 * HOUR * len(run.passages))


def test_the_added_approvals_share_is_recovered_in_the_simulated_path():
    model = deterministic()
    model.arrivals["other"] = list(model.arrivals["c"])
    change = {
        "add_step": {
            "state": "awaiting_approval",
            "categories": ["c"],
            "share": 0.4,
            "hours": {"median": 1, "spread": 0.5},
        }
    }
    run = simulate(apply(model, change), hours=24 * 200, seed=3, drain_hours=24)
    of_c = [o for o in run.outcomes if o.category == "c"]
    assert len(of_c) > 2000
    assert {p.category for p in run.passages} == {"c"}
    assert len(run.passages) / len(of_c) == pytest.approx(0.4, abs=0.03)
    kpis = replicate(apply(model, change), days=60, replications=3, seed=1)
    # Passes per request of every category: half the requests are of "c".
    assert kpis["passes|awaiting_approval"].mean == pytest.approx(0.2, abs=0.02)


def test_a_fitted_approval_takes_the_logs_time_or_is_refused_without_one():
    model = deterministic()
    model.durations["awaiting_approval"] = fixed(3 * HOUR)
    change = {"add_step": {"state": "awaiting_approval", "share": 1.0, "hours": "fit"}}
    run = simulate(apply(model, change), hours=100, seed=1, drain_hours=10)
    assert all(o.resolved - o.arrived == pytest.approx(2400 + 3 * HOUR) for o in run.outcomes)
    with pytest.raises(InvalidChange, match="no approval") as refused:
        apply(deterministic(), change)
    assert refused.value.details["field"] == "add_step"


@pytest.mark.parametrize(
    "step",
    [
        {"state": "lunch", "share": 1, "hours": {"median": 1}},
        {"state": "awaiting_approval", "share": 0, "hours": {"median": 1}},
        {"state": "awaiting_approval", "share": 1.5, "hours": {"median": 1}},
        {"state": "awaiting_approval", "share": 1, "hours": {"median": -1}},
        {"state": "awaiting_approval", "share": 1, "hours": {"mean": 1}},
        {"state": "awaiting_approval", "share": 1, "hours": {"median": 1, "spread": 9}},
        {"state": "awaiting_approval", "share": 1, "hours": {"median": 1}, "after": "closed"},
        {"state": "awaiting_approval", "share": 1, "hours": {"median": 1}, "department": "d"},
        {"state": "consult", "share": 1, "hours": {"median": 1}},
        {"state": "consult", "share": 1, "hours": {"median": 1}, "department": "nowhere"},
        {"state": "awaiting_approval", "share": 1, "hours": {"median": 1}, "categories": ["x"]},
        {"state": "awaiting_approval", "share": 1, "hours": {"median": 1}, "colour": "red"},
        [],
        "approval",
    ],
)
def test_a_bad_added_step_is_refused_naming_it(step):
    with pytest.raises(InvalidChange) as refused:
        apply(deterministic(), {"add_step": step})
    assert refused.value.details["field"] == "add_step"


@pytest.mark.django_db
def test_the_api_refuses_a_bad_added_step_and_stores_a_good_one(staff_lead):
    client = client_for(staff_lead)
    bad = {"state": "awaiting_approval", "share": 2, "hours": {"median": 4}}
    refused = client.post(URL, {"name": "Approve", "changes": {"add_step": bad}}, format="json")
    assert refused.status_code == 400
    body = refused.json()
    assert "add_step" in str(body) and "share must be above 0 and at most 1" in str(body)
    good = {"state": "awaiting_approval", "categories": ["7"], "share": 1.0, "hours": {"median": 4}}
    created = client.post(URL, {"name": "Approve", "changes": {"add_step": good}}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["changes"] == {"add_step": good}


@pytest.mark.django_db
def test_the_admin_form_refuses_a_bad_added_step_and_labels_the_steps_kpis():
    bad = {"add_step": {"state": "consult", "share": 0.5, "hours": {"median": 1}}}
    fields = {"name": "Consult", "fit_days": 90, "test_days": 30, "days": 30, "replications": 5}
    form = ScenarioForm(data={**fields, "seed": 1, "changes": json.dumps(bad)})
    assert not form.is_valid()
    assert "names the department consulted" in str(form.errors["changes"])
    assert _label("passes|awaiting_approval") == "added approval, passes per request"
    assert _label("ola_acceptance|consult|98>99") == (
        "consults from 98 to 99, OLA acceptance met (share)"
    )
