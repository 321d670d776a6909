"""Admin screens and API of problem records and the staffing forecast; the worker tasks."""

import pytest
from django.conf import settings

from apps.accounts.actors import actor_for_user
from apps.improvement.models import Problem, StaffingForecast
from apps.improvement.problems import services
from apps.improvement.staffing.plan import do_forecast_staffing, staffing_plan
from apps.quality.models import QualityAlert
from tests.support.api import client_for
from workflows import tasks


@pytest.fixture
def lead(staff_lead):
    return staff_lead


def test_problem_api_lifecycle(desk, lead):
    done = desk.resolved_after(3)
    alert = QualityAlert.objects.create(
        department=desk.department,
        chart="resolution_time",
        rule="outside_limits",
        day=desk.clock.now.date(),
        worse=True,
        value=9,
        centre=3,
        lower_limit=0,
        upper_limit=6,
        created_at=desk.clock.now,
    )
    api = client_for(lead)
    created = api.post(
        "/api/v1/improvement/problems/",
        {"title": "Slow printers", "quality_alert": alert.pk, "requests": [done.pk]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["source"] == "quality_alert" and body["department"] == desk.department.pk
    assert body["requests"] == [done.reference] and body["allowed_transitions"] == [
        "analyse",
        "cancel",
    ]
    url = f"/api/v1/improvement/problems/{body['id']}/"
    assert api.post(url + "transitions/analyse/", {}, format="json").status_code == 200
    refused = api.post(url + "transitions/plan/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["allowed"] == ["cancel"]
    patched = api.patch(
        url, {"root_cause": "Old drivers", "corrective_action": "Update"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["root_cause"] == "Old drivers"
    stale = api.post(url + "transitions/plan/", {"version": 1}, format="json")
    assert stale.status_code == 409
    planned = api.post(url + "transitions/plan/", {}, format="json").json()
    assert planned["state"] == "action_planned"
    assert [e["transition"] for e in planned["log"]] == ["open", "analyse", "edit", "plan"]
    customer = client_for(desk.customer.user)
    assert customer.get("/api/v1/improvement/problems/").status_code == 403


def test_problem_admin_runs_transitions_through_the_door(desk, lead, client):
    lead.is_superuser = True
    lead.save(update_fields=["is_superuser"])
    client.force_login(lead)
    added = client.post(
        "/admin/improvement/problem/add/",
        {
            "title": "Badges fail",
            "source": "manual",
            "indicator": "resolution_time",
            "ProblemEventInline-TOTAL_FORMS": "0",
            "ProblemEventInline-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    problem = Problem.objects.get(title="Badges fail")
    assert [e.transition for e in problem.events.all()] == ["open"]
    client.post(
        "/admin/improvement/problem/",
        {"action": "run_analyse", "_selected_action": [problem.pk]},
    )
    problem.refresh_from_db()
    assert problem.state == "analysing"
    page = client.get(f"/admin/improvement/problem/{problem.pk}/change/")
    assert page.status_code == 200
    # An implemented problem verified from the list shows both periods on its page.
    for name in ("plan", "implement"):
        if name == "plan":
            problem.refresh_from_db()
            services.do_update_problem(
                problem, actor=actor_for_user(lead), root_cause="x", corrective_action="y"
            )
        client.post(
            "/admin/improvement/problem/",
            {"action": f"run_{name}", "_selected_action": [problem.pk]},
        )
    client.post(
        "/admin/improvement/problem/", {"action": "run_verify", "_selected_action": [problem.pk]}
    )
    problem.refresh_from_db()
    assert problem.state == "reopened" and problem.verification["note"]
    page = client.get(f"/admin/improvement/problem/{problem.pk}/change/").content.decode()
    assert 'id="verification"' in page and "not improved" in page


def test_staffing_plan_compares_needed_and_scheduled_agents(desk, clock):
    # Two weeks of history: a request every Monday 09:00-10:00 (the clock starts on a Monday).
    for _week in range(2):
        desk.resolved_after(0.5)
        clock.advance(days=7, hours=-1.5)
    plan = staffing_plan(weeks=1, history_weeks=2, department_id=desk.department.pk)
    row = plan["departments"][0]
    assert row["arrivals_history"] == 2
    nine = row["hours"][9]
    assert nine["history_mean"] == 1.0 and nine["forecast"] == 1.0
    assert nine["agents_needed"] == 1
    # No calendar: both agents are scheduled around the clock.
    assert nine["agents_scheduled"] == 2 and nine["gap"] == 1
    assert row["hours"][3]["agents_needed"] == 0


def test_staffing_api_page_and_worker_tasks(desk, lead, client):
    desk.resolved_after(1)
    stored = do_forecast_staffing(weeks=1)
    assert StaffingForecast.objects.count() == 1
    api = client_for(lead)
    body = api.get("/api/v1/improvement/staffing/").json()
    assert body == stored.payload
    fresh = api.get(f"/api/v1/improvement/staffing/?department={desk.department.pk}").json()
    assert [d["department"] for d in fresh["departments"]] == [desk.department.pk]
    assert api.get("/api/v1/improvement/staffing/?weeks=99").status_code == 400
    client.force_login(lead)
    page = client.get("/admin/improvement/staffingforecast/")
    assert page.status_code == 200 and b"<svg" in page.content
    dashboard = client.get("/admin/quality/qualitydashboard/")
    assert b'id="improvement"' in dashboard.content
    # The tasks, called as functions, and their place on the beat schedule.
    assert tasks.forecast_staffing() > stored.pk
    assert tasks.train_eta_model() == 1
    assert tasks.sweep_breach_risk() == 0
    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"default.train_eta_model", "default.sweep_breach_risk"} <= beat
