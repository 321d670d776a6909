"""A small organisation for handoffs: IT owns a request; Finance and Legal are asked for help."""

from dataclasses import dataclass

import pytest

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.eventlog.models import Event, EventKind
from apps.handoffs.models import OLAPolicy
from apps.tickets import services
from apps.tickets.transition_data import AssignData, RouteData
from tests.factories import AgentFactory, DepartmentFactory, submit


@dataclass
class Team:
    department: object
    lead: object
    agent: object

    @property
    def lead_actor(self):
        return actor_for_user(self.lead.user)

    @property
    def agent_actor(self):
        return actor_for_user(self.agent.user)


def team(name: str, code: str) -> Team:
    department = DepartmentFactory(name=name, code=code)
    lead = AgentFactory(user__username=f"{code}-lead", departments=[department])
    department.leads.add(lead.user)
    agent = AgentFactory(user__username=f"{code}-agent", departments=[department])
    return Team(department, lead, agent)


class Org:
    def __init__(self, customer):
        self.customer = customer
        self.it = team("IT support", "it")
        self.finance = team("Finance", "finance")
        self.legal = team("Legal", "legal")

    @property
    def customer_actor(self):
        return actor_for_user(self.customer.user)

    def request_in_progress(self, subject: str = "Laptop purchase"):
        """A request IT's agent is working on."""
        request = submit(self.customer, subject=subject)
        request = services.transition(
            request, "route", actor=SYSTEM, data=RouteData(department=self.it.department)
        )
        request = services.transition(
            request, "assign", actor=SYSTEM, data=AssignData(assignee=self.it.agent)
        )
        return services.transition(request, "start", actor=self.it.agent_actor)


@pytest.fixture
def org(customer):
    return Org(customer)


@pytest.fixture
def finance_ola(org):
    """Handoffs to Finance: accept within 60 minutes, complete within 120 (24x7)."""
    return OLAPolicy.objects.create(
        name="To Finance",
        to_department=org.finance.department,
        acceptance_minutes=60,
        completion_minutes=120,
        warning_percent=75,
        expire_after_minutes=240,
    )


def handoff_steps(request) -> list[str]:
    return [
        e.payload["step"]
        for e in Event.objects.filter(request=request, kind=EventKind.HANDOFF).order_by("seq")
    ]
