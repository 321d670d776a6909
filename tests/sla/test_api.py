"""The SLA summary in request representations: state, deadline, time left, flags."""

from datetime import timedelta

import pytest

from apps.accounts.actors import actor_for_user
from apps.tickets import services
from tests.sla_fixtures import T0
from tests.support.api import url
from workflows.sla_sweep import sweep_due_clocks

pytestmark = pytest.mark.django_db


def _sla(client, request) -> dict:
    response = client.get(url(request))
    assert response.status_code == 200, response.content
    return {c["target"]: c for c in response.json()["sla"]}


def test_a_new_request_shows_both_clocks_running(desk, customer_client, standard_policy, clock):
    request = desk.request_in("new")
    clock.advance(minutes=15)
    sla = _sla(customer_client, request)
    assert sla["first_response"] == {
        "target": "first_response",
        "state": "running",
        "deadline": (T0 + timedelta(minutes=60)).isoformat().replace("+00:00", "Z"),
        "target_seconds": 3600,
        "elapsed_business_seconds": 900,
        "remaining_business_seconds": 2700,
        "used_percent": 25,
        "warning": False,
        "breached": False,
    }
    assert sla["resolution"]["remaining_business_seconds"] == 240 * 60 - 900


def test_paused_while_pending_and_overdue_after_a_breach(
    desk, customer_client, lead_client, standard_policy, clock
):
    request = desk.request_in("in_progress")
    clock.advance(minutes=30)
    services.transition(request, "request_info", actor=actor_for_user(desk.lead.user))
    clock.advance(hours=3)
    resolution = _sla(customer_client, request)["resolution"]
    assert (resolution["state"], resolution["deadline"]) == ("paused", None)
    assert resolution["remaining_business_seconds"] == 210 * 60
    first = _sla(lead_client, request)["first_response"]
    assert first["remaining_business_seconds"] == -150 * 60  # 60 min target, 210 min gone
    sweep_due_clocks()
    first = _sla(lead_client, request)["first_response"]
    assert (first["warning"], first["breached"]) == (True, True)


def test_no_policy_no_clocks(desk, customer_client):
    assert _sla(customer_client, desk.request_in("queued")) == {}


def test_recategorize_rematches_the_policy(desk, lead_client, standard_policy, clock):
    from apps.sla.models import SLAClock, SLAPolicy
    from tests.factories import CategoryFactory

    hardware = CategoryFactory(default_department=desk.department)
    fast = SLAPolicy.objects.create(
        name="Hardware", order=1, first_response_minutes=30, resolution_minutes=120
    )
    fast.categories.add(hardware)
    request = desk.request_in("queued")
    clock.advance(minutes=10)
    response = lead_client.post(
        url(request, "transitions/recategorize/"), {"category": hardware.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    resolution = SLAClock.objects.get(request=request, kind="resolution")
    assert (resolution.policy, resolution.deadline) == (fast, clock.now + timedelta(minutes=110))
