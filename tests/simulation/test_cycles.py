"""PDCA cycles: the check on constructed data where the answer is known, each step's
validation, who may run them, the due-check reminder, the problem page, the dashboard and the
API round trip."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.conf import settings
from django.test import Client

from apps.core.errors import Forbidden, InvalidData, NotAllowed
from apps.improvement.problems import services as problems
from apps.notifications.models import Notification
from apps.quality.scorecard import INDICATORS
from apps.simulation.models import CycleState, ImprovementCycle, Scenario, ScenarioStatus
from apps.simulation.pdca import check, services
from apps.simulation.pdca.reminders import do_remind_due_checks
from tests.factories import AgentFactory, UserFactory
from tests.improvement.conftest import ProblemDesk
from tests.support.api import client_for
from workflows.simulation import sweep_cycle_checks

pytestmark = pytest.mark.django_db
URL = "/api/v1/simulation/cycles/"
DAYS = 7


@pytest.fixture
def desk(db, customer, clock):
    return ProblemDesk(customer, clock)


@pytest.fixture
def lead(desk):
    return desk.lead.user


def _problem(desk):
    return problems.do_open_problem(
        actor=desk.lead_actor,
        title="Printers jam",
        category=desk.category,
        department=desk.department,
    )


def _scenario(mean=2.5, low=1.5, high=3.5) -> Scenario:
    estimate = {"mean": mean, "low": low, "high": high, "replications": 10}
    return Scenario.objects.create(
        name="Paper supplier",
        status=ScenarioStatus.DONE,
        results={"kpis": [{"kpi": "ttr_mean_h", "as_is": estimate, "scenario": estimate}]},
    )


def _plan(desk, **plan) -> ImprovementCycle:
    fields = {"indicator": "resolution_hours", "target_value": 4.0, "baseline_days": DAYS}
    return services.do_plan_cycle(
        user=desk.lead.user, title="Better paper", problem=_problem(desk), **{**fields, **plan}
    )


def _run(desk, before_hours, after_hours, **plan) -> ImprovementCycle:
    """Requests resolved after `before_hours` in the week before the change, after
    `after_hours` in the week from it; the cycle checked at the end of that week."""
    start = desk.clock.now
    for hours in before_hours:
        desk.resolved_after(hours)
    # The change is made a week after the first request's day (at midnight).
    changed_on = start.date() + timedelta(days=DAYS)
    desk.clock.advance(seconds=(_midnight(changed_on) - desk.clock.now).total_seconds())
    cycle = _plan(desk, **plan)
    cycle = services.do_record_change(
        cycle, user=desk.lead.user, change="Better paper", changed_on=changed_on
    )
    for hours in after_hours:
        desk.resolved_after(hours)
    desk.clock.advance(days=DAYS)
    return services.do_check_cycle(cycle, user=desk.lead.user)


def _midnight(day):
    return datetime.combine(day, time.min, tzinfo=UTC)


def _row(cycle, kpi):
    return next(row for row in cycle.results["kpis"] if row["kpi"] == kpi)


def test_a_clear_improvement_is_significant_and_reaches_the_target(desk):
    cycle = _run(
        desk,
        [8, 9, 10, 11, 12, 10, 9, 8],
        [1, 2, 1.5, 2.5, 1, 2, 3, 1.5],
        scenario=_scenario(),
    )
    assert cycle.state == CycleState.CHECK and cycle.checked_by == desk.lead.user
    ttr = _row(cycle, "resolution_hours")
    assert ttr["test"] == "mann_whitney_u"
    assert ttr["before"] == pytest.approx(9.625, abs=0.01)
    assert ttr["after"] == pytest.approx(1.8125, abs=0.01)
    # Every after value is below every before value: U = 0, p about 0.001.
    assert ttr["p_value"] < 0.05 and ttr["verdict"] == "better"
    # The scenario predicted 2.5 h [1.5, 3.5]: the result falls in its interval.
    assert cycle.predicted_value == 2.5
    assert ttr["predicted"] == {"value": 2.5, "low": 1.5, "high": 3.5}
    assert ttr["vs_prediction"] == "within"
    target = cycle.results["target"]
    assert target["reached"] is True and target["significant"] is True
    # Every indicator of the scorecard is there, each with its test.
    assert [row["kpi"] for row in cycle.results["kpis"]] == list(INDICATORS)
    assert {row["kpi"]: row["test"] for row in cycle.results["kpis"]} == check.TESTS
    assert _row(cycle, "resolved")["before"] == 8 and _row(cycle, "resolved")["after"] == 8
    assert _row(cycle, "resolved")["verdict"] == "unchanged"


def test_no_change_gives_no_significant_difference(desk):
    cycle = _run(desk, [2, 3, 2, 3, 2, 3], [3, 2, 3, 2, 3, 2], target_value=1.0)
    ttr = _row(cycle, "resolution_hours")
    assert ttr["p_value"] > 0.05 and ttr["verdict"] == "unchanged"
    assert cycle.results["target"] == {
        "kpi": "resolution_hours",
        "value": 1.0,
        "direction": "at_most",
        "after": pytest.approx(2.5, abs=0.01),
        "reached": False,
        "significant": False,
        "vs_prediction": None,
    }


def test_the_reopen_rate_is_a_two_proportion_test():
    rows = check._test("fisher_exact", (6, 16), (0, 10))
    assert rows["test"] == "fisher_exact" and rows["p_value"] < 0.1
    few = check._test("fisher_exact", (1, 3), (0, 10))
    assert few["p_value"] is None
    row = {"p_value": 0.01, "difference": -0.375}
    assert check._verdict("reopen_rate", row, 0.05) == "better"
    assert check._verdict("csat", row, 0.05) == "worse"
    assert check._verdict("csat", {"p_value": None, "difference": None}, 0.05) == "too_few"


def test_the_plan_is_validated_naming_each_field(desk):
    with pytest.raises(InvalidData) as refused:
        services.do_plan_cycle(
            user=desk.lead.user,
            title="x",
            indicator="sla_compliance",
            target_value=1.5,
            baseline_days=3,
            scenario=Scenario.objects.create(name="Not run"),
        )
    assert set(refused.value.details["fields"]) == {"target_value", "baseline_days", "scenario"}
    with pytest.raises(InvalidData) as refused:
        services.do_plan_cycle(user=desk.lead.user, title="x", indicator="speed", target_value=1)
    assert set(refused.value.details["fields"]) == {"indicator"}
    cycle = services.do_plan_cycle(
        user=desk.lead.user, title="SLA", indicator="sla_compliance", target_value=0.9
    )
    assert cycle.direction == "at_least" and cycle.state == CycleState.PLAN
    assert cycle.planned_by == desk.lead.user and cycle.planned_at is not None


def test_a_lead_links_only_a_problem_they_may_see(desk):
    problem = _problem(desk)
    stranger = AgentFactory(departments=[desk.other_department])
    desk.other_department.leads.add(stranger.user)
    with pytest.raises(InvalidData) as refused:
        services.do_plan_cycle(
            user=stranger.user,
            title="x",
            indicator="sla_compliance",
            target_value=0.9,
            problem=problem,
        )
    assert set(refused.value.details["fields"]) == {"problem"}
    cycle = services.do_plan_cycle(
        user=desk.lead.user,
        title="x",
        indicator="sla_compliance",
        target_value=0.9,
        problem=problem,
    )
    assert cycle.problem == problem


def test_each_step_in_turn_and_validated(desk):
    cycle = _plan(desk)
    with pytest.raises(NotAllowed):
        services.do_check_cycle(cycle, user=desk.lead.user)
    with pytest.raises(InvalidData) as refused:
        services.do_record_change(
            cycle, user=desk.lead.user, change=" ", changed_on=desk.clock.now.date() + timedelta(1)
        )
    assert set(refused.value.details["fields"]) == {"change", "changed_on"}
    today = desk.clock.now.date()
    cycle = services.do_record_change(cycle, user=desk.lead.user, change="x", changed_on=today)
    assert cycle.state == CycleState.DO and cycle.check_due == today + timedelta(days=DAYS)
    with pytest.raises(NotAllowed):
        services.do_record_change(cycle, user=desk.lead.user, change="x", changed_on=today)
    with pytest.raises(NotAllowed) as early:
        services.do_check_cycle(cycle, user=desk.lead.user)
    assert cycle.check_due.isoformat() in early.value.message
    with pytest.raises(NotAllowed):
        services.do_decide_cycle(cycle, user=desk.lead.user, decision="adopt")
    desk.clock.advance(days=DAYS)
    cycle = services.do_check_cycle(cycle, user=desk.lead.user)
    with pytest.raises(InvalidData) as refused:
        services.do_decide_cycle(cycle, user=desk.lead.user, decision="abandon")
    assert set(refused.value.details["fields"]) == {"note"}
    with pytest.raises(InvalidData):
        services.do_decide_cycle(cycle, user=desk.lead.user, decision="maybe")
    cycle = services.do_decide_cycle(
        cycle, user=desk.lead.user, decision="adjust", note="Target too ambitious"
    )
    assert cycle.state == CycleState.ACT and cycle.decided_by == desk.lead.user
    following = cycle.next_cycle
    assert following.state == CycleState.PLAN and following.problem_id == cycle.problem_id
    assert following.indicator == cycle.indicator and following.target_value == 4.0
    # The adjusted cycle closes when the next one's change is made.
    services.do_record_change(
        following, user=desk.lead.user, change="y", changed_on=desk.clock.now.date()
    )
    cycle.refresh_from_db()
    assert cycle.state == CycleState.CLOSED and cycle.closed_at is not None


def test_only_leads_run_cycles(desk):
    with pytest.raises(Forbidden):
        services.do_plan_cycle(user=desk.second.user, title="x", indicator="csat", target_value=4)
    with pytest.raises(Forbidden):
        services.do_plan_cycle(user=desk.customer.user, title="x", indicator="csat", target_value=4)
    cycle = _plan(desk)
    with pytest.raises(Forbidden):
        services.do_record_change(
            cycle, user=desk.second.user, change="x", changed_on=desk.clock.now.date()
        )


def test_api_refuses_customers_and_agents_and_runs_a_round_trip_for_a_lead(desk, lead):
    second = desk.second.user
    second.is_staff = True
    second.save(update_fields=["is_staff"])
    assert client_for(second).get(URL).status_code == 403
    assert client_for(desk.customer.user).get(URL).status_code == 403
    assert client_for(lead).get(URL).status_code == 403  # a lead without staff status
    lead.is_staff = True
    lead.save(update_fields=["is_staff"])
    api = client_for(lead)
    refused = api.post(URL, {"title": "x", "indicator": "csat", "target_value": 9}, format="json")
    assert refused.status_code == 400 and "target_value" in str(refused.json())
    for hours in (8, 9, 10, 11, 12):
        desk.resolved_after(hours)
    desk.clock.advance(days=1)
    problem = _problem(desk)
    created = api.post(
        URL,
        {
            "title": "Better paper",
            "indicator": "resolution_hours",
            "target_value": 4,
            "baseline_days": DAYS,
            "problem": problem.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["state"] == "plan" and body["direction"] == "at_most"
    assert created["Location"].endswith(f"{URL}{body['id']}/")
    changed = api.post(
        f"{URL}{body['id']}/change/",
        {"change": "Better paper", "changed_on": desk.clock.now.date().isoformat()},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["state"] == "do"
    early = api.post(f"{URL}{body['id']}/check/")
    assert early.status_code == 409
    for hours in (1, 2, 1, 2, 1):
        desk.resolved_after(hours)
    desk.clock.advance(days=DAYS)
    api = client_for(lead)  # a token of the day (tokens expire)
    checked = api.post(f"{URL}{body['id']}/check/")
    assert checked.status_code == 200, checked.json()
    results = checked.json()["results"]
    assert results["target"]["reached"] is True and results["target"]["significant"] is True
    decided = api.post(f"{URL}{body['id']}/decision/", {"decision": "adopt"}, format="json")
    assert decided.status_code == 200
    assert decided.json()["state"] == "closed" and decided.json()["decided_by"] == lead.username
    assert api.get(f"{URL}{body['id']}/").json()["decision"] == "adopt"


def test_a_due_check_reminds_the_owner_once(desk):
    cycle = _plan(desk, owner=desk.second.user)
    services.do_record_change(
        cycle, user=desk.lead.user, change="x", changed_on=desk.clock.now.date()
    )
    assert do_remind_due_checks() == 0  # not due yet
    desk.clock.advance(days=DAYS)
    assert sweep_cycle_checks() == 1  # the beat's task, called as a function
    assert do_remind_due_checks() == 0
    sent = Notification.objects.filter(kind="cycle_check_due")
    assert [n.recipient for n in sent] == [desk.second.user]
    assert "Better paper" in sent[0].title
    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "default.sweep_cycle_checks" in beat


def _admin(desk) -> Client:
    user = desk.lead.user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def test_the_problem_page_the_cycle_page_and_the_dashboard_show_cycles(desk):
    cycle = _run(desk, [8, 9, 10, 11, 12, 10], [1, 2, 1.5, 2.5, 1, 2])
    client = _admin(desk)
    # The problem admin asks for Django's model permissions: a supervisor has them.
    supervisor = Client()
    supervisor.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = supervisor.get(f"/admin/improvement/problem/{cycle.problem_id}/change/").content.decode()
    assert f"/admin/simulation/improvementcycle/{cycle.pk}/change/" in page
    assert "Better paper" in page
    page = client.get(f"/admin/simulation/improvementcycle/{cycle.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="cycle-check"' in text and "Mann-Whitney U" in text and "reached" in text
    dashboard = client.get("/admin/quality/qualitydashboard/").content.decode()
    assert 'id="open-cycles"' in dashboard and "Better paper" in dashboard
    services.do_decide_cycle(cycle, user=desk.lead.user, decision="adopt")
    dashboard = client.get("/admin/quality/qualitydashboard/").content.decode()
    assert "Better paper" not in dashboard and "No open cycles." in dashboard


def test_admin_plans_for_leads_and_refuses_a_bad_target(desk):
    client = _admin(desk)
    add = "/admin/simulation/improvementcycle/add/"
    form = {"title": "SLA up", "indicator": "sla_compliance", "baseline_days": 28}
    refused = client.post(add, {**form, "target_value": 2})
    assert refused.status_code == 200 and "Between 0.0 and 1.0." in refused.content.decode()
    assert client.post(add, {**form, "target_value": 0.9}).status_code == 302
    cycle = ImprovementCycle.objects.get()
    assert cycle.planned_by == desk.lead.user and cycle.direction == "at_least"
    agent = desk.second.user
    agent.is_staff = True
    agent.save(update_fields=["is_staff"])
    client.force_login(agent)
    assert client.get(add).status_code == 403
    assert client.get(f"/admin/simulation/improvementcycle/{cycle.pk}/change/").status_code == 200
