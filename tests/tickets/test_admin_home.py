"""The desk's admin site: its name, a home that opens on the agent's queues, Service requests
first in the navigation."""

import pytest
from django.contrib import admin
from django.urls import reverse

from apps.core.admin_site import DeskAdminSite
from tests.tickets.test_admin_request import routed

pytestmark = pytest.mark.django_db


def test_the_admin_is_the_desks_site():
    assert isinstance(admin.site, DeskAdminSite)


def test_the_home_shows_the_desks_name_and_the_queues_with_counts(
    agent_client, staff_agent, customer, department, settings
):
    settings.SERVICEDESK_NAME = "Acme help desk"
    routed(customer, department, subject="Waiting in the queue")
    response = agent_client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme help desk" in html
    assert "Django administration" not in html
    queues = {row["key"]: row for row in response.context["home_panels"][0]["context"]["queues"]}
    assert queues["unassigned"]["count"] == 1
    assert queues["open"]["count"] == 1
    assert queues["everything"]["count"] is None
    assert 'href="/admin/tickets/servicerequest/?queue=unassigned"' in html


def test_service_requests_come_first_in_the_navigation(agent_client):
    response = agent_client.get(reverse("admin:index"))
    apps = response.context["app_list"]
    assert apps[0]["app_label"] == "tickets"
    assert apps[0]["models"][0]["object_name"] == "ServiceRequest"


def test_a_user_without_requests_sees_no_queue_panel(admin_client, django_user_model):
    user = django_user_model.objects.create_user("nostaff", password="x", is_staff=True)
    admin_client.force_login(user)
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.context["home_panels"] == []
