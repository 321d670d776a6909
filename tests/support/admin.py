"""Admin fixtures: staff agents in the "Agents" group, signed in through the test client."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from apps.accounts.agent_permissions import grant_views
from tests.factories import AgentFactory, DepartmentFactory

_GROUP_MIGRATION = importlib.import_module("apps.accounts.migrations.0002_agents_group")
_SLA_VIEWS_MIGRATION = importlib.import_module(
    "apps.accounts.migrations.0003_agents_group_sla_notifications"
)
_ROUTING_VIEWS_MIGRATION = importlib.import_module(
    "apps.accounts.migrations.0005_agents_group_routing"
)
_KNOWLEDGE_MIGRATION = importlib.import_module(
    "apps.accounts.migrations.0006_agents_group_knowledge"
)
_MACROS_MIGRATION = importlib.import_module("apps.macros.migrations.0002_agents_group_macros")


@pytest.fixture
def agents_group(db):
    # A transactional test elsewhere in the run flushes the tables the migration filled;
    # the same migration code then makes the group again.
    if not Group.objects.filter(name=_GROUP_MIGRATION.GROUP).exists():
        _GROUP_MIGRATION.create_agents_group(apps, None)
        _SLA_VIEWS_MIGRATION.grant_sla_and_notification_views(apps, None)
        _ROUTING_VIEWS_MIGRATION.grant_routing_views(apps, None)
        _KNOWLEDGE_MIGRATION.grant_knowledge_permissions(apps, None)
        _MACROS_MIGRATION.grant_macro_permissions(apps, None)
        # The event log moved out of quality (whose views 0002 grants) with its permissions.
        grant_views(apps, ("eventlog",))
    return Group.objects.get(name=_GROUP_MIGRATION.GROUP)


def make_staff(agent, group):
    agent.user.is_staff = True
    agent.user.save(update_fields=["is_staff"])
    agent.user.groups.add(group)
    return agent


@pytest.fixture
def staff_agent(agent, agents_group):
    return make_staff(agent, agents_group)


@pytest.fixture
def agent_client(client, staff_agent):
    client.force_login(staff_agent.user)
    return client


@pytest.fixture
def other_department(db):
    return DepartmentFactory(name="Billing", code="billing")


@pytest.fixture
def other_agent(other_department, agents_group):
    return make_staff(
        AgentFactory(user__username="bob", departments=[other_department]), agents_group
    )
