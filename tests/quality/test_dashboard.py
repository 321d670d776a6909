"""The quality dashboard in the admin: renders with SVG charts, with data and without."""

from datetime import timedelta

import pytest
from django.test import override_settings

from apps.quality.alerts import do_raise_quality_alerts
from apps.tickets.feedback import do_give_feedback
from tests.factories import UserFactory
from tests.paths import Desk
from tests.quality.history import move_to, resolve_daily
from tests.sla_fixtures import T0

pytestmark = pytest.mark.django_db
URL = "/admin/quality/qualitydashboard/"
SECTIONS = [
    "volume",
    "sla-chart",
    "resolution-chart",
    "process-map",
    "variants",
    "csat",
    "scorecard",
]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_empty_database(admin_client):
    response = admin_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for section in SECTIONS:
        assert f'id="{section}"' in html
    assert html.count("<svg") >= 7
    assert "<script" not in html.split('id="content-main"')[1]


def test_index_links_to_the_dashboard(admin_client):
    assert URL in admin_client.get("/admin/").content.decode()


def test_agents_see_it_customers_do_not(client, customer):
    desk = Desk(customer)
    desk.lead.user.is_staff = True
    desk.lead.user.save()
    client.force_login(desk.lead.user)
    assert client.get(URL).status_code == 200
    client.force_login(customer.user)
    assert client.get(URL).status_code == 302  # to the admin's login


@override_settings(SERVICEDESK_QUALITY_BASELINE_DAYS=10, SERVICEDESK_QUALITY_WINDOW_DAYS=10)
def test_with_data_in_english_and_chinese(
    admin_client, customer, customer_actor, clock, standard_policy
):
    desk = Desk(customer)
    hours = [2.0, 2.5, 1.5, 2.0, 2.2, 1.8, 2.4, 1.6, 2.1, 1.9] + [6.0] * 10
    requests = resolve_daily(desk, clock, hours)
    for request, text in zip(
        requests, ["slow reply", "太慢了", "friendly and quick"], strict=False
    ):
        do_give_feedback(request, actor=customer_actor, rating=3, comment=text)
    move_to(clock, T0 + timedelta(days=20, hours=3))
    do_raise_quality_alerts()
    response = admin_client.get(URL, {"department": desk.department.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="signal"') >= 2
    assert "<polyline" in html and "<path" in html
    assert "In progress" in html  # a process-map node, by its label
    assert "slow" in html or "太慢" in html
    chinese = admin_client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 200 and chinese.content.count(b"<svg") >= 7
