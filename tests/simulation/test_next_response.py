"""Next responses: after a customer's reply the next-response clock runs until the agent
answers (a known time on a deterministic path, a known share by construction), discovery reads
when the agents answer a reply and the policy's target, and a scenario changes the target."""

import statistics
from datetime import UTC, datetime, timedelta

import pytest

from apps.demo.history import generate_history
from apps.simulation.changes import InvalidChange
from apps.simulation.discovery import discover
from apps.simulation.engine import HOUR, simulate
from apps.simulation.kpis import replicate
from apps.simulation.scenarios import apply
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, DepartmentFactory
from tests.support.simulation import check_scenario_changes_api, fixed, queue_model

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
HALF_WAY = [0.5] * 21


def replies(share: float, target_minutes: float):
    """30 minutes of work (the first response at its start), then half the requests ask the
    customer, who answers after an hour; 40 minutes of work follow each reply, the agent's
    next response at 20 minutes of them in `share` of the cases; ample agents."""
    model = queue_model(per_hour=1.0, agents=50, service=fixed(30 * 60))
    model.transitions["in_progress"] = {"pending_customer": 0.5, "resolved": 0.5}
    model.transitions["pending_customer"] = {"in_progress": 1.0}
    model.durations["pending_customer"] = fixed(HOUR)
    model.durations["in_progress<pending_customer"] = fixed(40 * 60)
    model.response_targets = {"3": HOUR}
    model.first_response = {"in_progress": {"share": 1.0, "fractions": [0.0] * 21}}
    model.next_response = {"in_progress": {"share": share, "fractions": HALF_WAY}}
    model.next_targets = {"3": target_minutes * 60}
    return model


def test_a_deterministic_path_gives_the_exact_next_response_time():
    run = simulate(replies(1.0, 30), hours=24 * 5, seed=1, drain_hours=48)
    clocks = [clock for o in run.outcomes for clock in o.next_clocks]
    assert len(clocks) > 30
    assert all(clock.responded and clock.clock == pytest.approx(1200) for clock in clocks)
    assert replicate(replies(1.0, 30), days=5, replications=2, seed=1)[
        "sla_next_response_share"
    ].mean == pytest.approx(1.0)
    assert replicate(replies(1.0, 15), days=5, replications=2, seed=1)[
        "sla_next_response_share"
    ].mean == pytest.approx(0.0)


def test_the_share_meeting_the_target_is_known_by_construction():
    """Half the replies answered at 20 minutes (met), the others stopped by the resolution at
    40 minutes or running on through the next wait for the customer (missed): 0.5."""
    share = replicate(replies(0.5, 30), days=30, replications=10, seed=1)
    found = share["sla_next_response_share"]
    assert found.low <= 0.5 <= found.high


def test_a_model_without_next_response_targets_runs_as_before():
    with_targets = simulate(replies(1.0, 30), hours=24 * 5, seed=2, drain_hours=48)
    model = replies(1.0, 30)
    model.next_targets = {}
    without = simulate(model, hours=24 * 5, seed=2, drain_hours=48)
    assert not any(o.next_clocks for o in without.outcomes)
    assert [o.resolved for o in without.outcomes] == [o.resolved for o in with_targets.outcomes]
    assert "sla_next_response_share" not in replicate(model, days=3, replications=2, seed=1)


def test_next_response_hours_as_a_scenario_change():
    changed = apply(replies(1.0, 30), {"next_response_hours": {"3": 0.25}})
    assert changed.next_targets == {"3": 0.25 * HOUR}
    for bad in ({"next_response_hours": {"3": 0}}, {"next_response_hours": ["3"]}):
        with pytest.raises(InvalidChange) as refused:
            apply(replies(1.0, 30), bad)
        assert refused.value.details["field"] == "next_response_hours"


@pytest.mark.django_db
def test_discovery_reads_when_agents_answer_a_customers_reply(office_policy):
    """The generator's agents answer each reply when the work it brings starts (after their
    other work): discovery finds the answer in the `in_progress` that follows the reply, the
    policy's two-hour target for every priority, and the model gives the share."""
    office_policy.next_response_minutes = 120
    office_policy.save()
    department = DepartmentFactory()
    AgentFactory.create_batch(3, departments=[department])
    CategoryFactory(default_department=department)
    CustomerFactory.create_batch(3)
    generate_history(requests=400, days=14, seed=4, now=NOW, answer_replies=True)
    model = discover(start=NOW - timedelta(days=14), end=NOW)
    assert set(model.next_targets.values()) == {7200.0} and len(model.next_targets) == 4
    found = model.next_response["in_progress"]
    assert found["share"] > 0.9
    assert statistics.median(found["fractions"]) < 1.0
    share = replicate(model, days=7, replications=2, seed=1)["sla_next_response_share"]
    assert 0.0 < share.mean <= 1.0


@pytest.mark.django_db
def test_the_api_takes_next_response_targets(staff_lead):
    check_scenario_changes_api(
        staff_lead, {"next_response_hours": {"2": 1}}, [{"next_response_hours": {"2": -1}}]
    )
