"""The quality API: staff only, every figure as JSON, with and without data."""

from datetime import timedelta

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from apps.quality.models import KPIIndicator, QualityAlert
from apps.tickets.feedback import do_give_feedback
from tests.factories import UserFactory
from tests.paths import Desk
from tests.quality.history import resolve_daily
from tests.sla_fixtures import T0
from tests.support.api import client_for

pytestmark = pytest.mark.django_db
ENDPOINTS = ["control-charts", "alerts", "feedback", "scorecard"]


@pytest.fixture
def desk(customer):
    desk = Desk(customer)
    desk.lead.user.is_staff = True
    desk.lead.user.save()
    return desk


@pytest.fixture
def staff(desk):
    return client_for(desk.lead.user)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_staff_only(name, desk, staff, customer):
    assert client_for(customer.user).get(f"/api/v1/quality/{name}/").status_code == 403
    assert APIClient().get(f"/api/v1/quality/{name}/").status_code in (401, 403)
    assert staff.get(f"/api/v1/quality/{name}/").status_code == 200


def test_empty_desk_gives_empty_figures(staff):
    charts = staff.get("/api/v1/quality/control-charts/").json()
    assert charts["charts"]["resolution_time"]["points"] == []
    feedback = staff.get("/api/v1/quality/feedback/").json()
    assert feedback["count"] == 0 and feedback["themes"] == []
    card = staff.get("/api/v1/quality/scorecard/?period=week&periods=3").json()
    assert len(card["trend"]) == 3


def test_bad_parameters_are_400(staff):
    assert staff.get("/api/v1/quality/feedback/?start=2026-03-05&end=2026-03-01").status_code == 400
    assert staff.get("/api/v1/quality/scorecard/?period=year").status_code == 400
    assert staff.get("/api/v1/quality/control-charts/?department=999999").status_code == 400


@override_settings(SERVICEDESK_QUALITY_BASELINE_DAYS=10, SERVICEDESK_QUALITY_WINDOW_DAYS=10)
def test_figures_with_data(desk, staff, clock, standard_policy, customer_actor):
    requests = resolve_daily(
        desk, clock, [2.0, 2.5, 1.5, 2.0, 2.2, 1.8, 2.4, 1.6, 2.1, 1.9] + [6.0] * 10
    )
    comments = ["slow reply, waited long", "waited too long", "great and friendly", "回复太慢了"]
    for request, text in zip(requests, comments, strict=False):
        do_give_feedback(
            request, actor=customer_actor, rating=2 if "slow" in text else 4, comment=text
        )
    last = (T0 + timedelta(days=19)).date()
    dept = desk.department.pk
    charts = staff.get(f"/api/v1/quality/control-charts/?department={dept}&last={last}").json()
    xmr = charts["charts"]["resolution_time"]
    assert len(xmr["points"]) == 20 and xmr["signals"]
    feedback = staff.get(f"/api/v1/quality/feedback/?start={T0.date()}&end={last}").json()
    assert feedback["count"] == 4 and feedback["comments"] == 4
    assert sum(w["count"] for w in feedback["trend"]) == 4
    assert sum(t["count"] for t in feedback["themes"]) == 4
    assert feedback["sentiment"]["negative"] >= 1

    KPIIndicator.objects.create(metric="resolved", department=desk.department, target=5, weight=1)
    card = staff.get(f"/api/v1/quality/scorecard/?department={dept}").json()
    mine = card["current"][0]
    assert mine["department"] == dept
    assert "resolved" in [i["metric"] for i in mine["indicators"]]


@override_settings(SERVICEDESK_QUALITY_BASELINE_DAYS=10, SERVICEDESK_QUALITY_WINDOW_DAYS=10)
def test_alerts_listed_and_acknowledged_by_the_lead(desk, staff, clock, standard_policy):
    from apps.quality.alerts import do_raise_quality_alerts

    resolve_daily(desk, clock, [2.0, 2.5, 1.5, 2.0, 2.2, 1.8, 2.4, 1.6, 2.1, 1.9] + [6.0] * 10)
    do_raise_quality_alerts(last=(T0 + timedelta(days=19)).date())
    listed = staff.get(f"/api/v1/quality/alerts/?department={desk.department.pk}").json()
    assert listed["results"]
    alert_id = listed["results"][0]["id"]
    other = UserFactory(is_staff=True)
    assert (
        client_for(other).post(f"/api/v1/quality/alerts/{alert_id}/acknowledge/").status_code == 403
    )
    done = staff.post(f"/api/v1/quality/alerts/{alert_id}/acknowledge/")
    assert done.status_code == 200 and done.json()["acknowledged_at"]
    assert QualityAlert.objects.get(pk=alert_id).acknowledged_by == desk.lead.user
    unacked = staff.get("/api/v1/quality/alerts/?unacknowledged=true").json()["results"]
    assert alert_id not in [a["id"] for a in unacked]
