"""End to end on a real worker: a request created through the API is routed and assigned."""

import pytest
from django.core.management import call_command

from apps.accounts.models import AgentSkill, Skill
from apps.eventlog.models import Event
from apps.lifecycle.reference import parse_reference
from apps.routing.models import RoutingRule
from apps.tickets.models import ServiceRequest
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory
from tests.support.api import client_for
from tests.support.workers import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.slow]


def test_api_create_is_routed_and_assigned_by_the_worker(celery_worker_process):
    DepartmentFactory(code="triage", is_triage=True)
    network = DepartmentFactory(code="net", assignment_strategy="skills")
    expert = AgentFactory(departments=[network], capacity=5)
    AgentSkill.objects.create(agent=expert, skill=Skill.objects.create(name="vpn"), level=4)
    AgentFactory(departments=[network], capacity=5)  # online, but without the skill
    RoutingRule.objects.create(
        name="VPN to networking",
        keywords=["vpn"],
        department=network,
        required_skills={"vpn": 3},
        tags=["vpn"],
    )
    customer = CustomerFactory()
    response = client_for(customer.user).post(
        "/api/v1/requests/", {"subject": "VPN drops every hour"}, format="json"
    )
    assert response.status_code == 201, response.content
    pk = parse_reference(response.json()["reference"])

    def assigned():
        assert celery_worker_process.poll() is None, "the worker died"
        return ServiceRequest.objects.get(pk=pk).assignee_id is not None

    wait_for(assigned, timeout=90, what="the worker to route and assign the request")
    request = ServiceRequest.objects.get(pk=pk)
    assert (request.state, request.department_id, request.assignee_id) == (
        "assigned",
        network.pk,
        expert.pk,
    )
    assert (request.tags, request.required_skills) == (["vpn"], {"vpn": 3})
    events = list(Event.objects.filter(request=request).order_by("seq"))
    assert [(e.transition, e.actor_role) for e in events] == [
        ("submit", "customer"),
        ("route", "system"),
        ("assign", "system"),
    ]
    assert events[1].payload["explain"]["rule"] == "VPN to networking"
    explain = events[2].payload["explain"]
    assert (explain["strategy"], explain["chosen"]) == ("skills", expert.pk)
    assert len(explain["candidates"]) == 2
    call_command("check_event_log")
