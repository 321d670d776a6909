"""Macro fixtures: a request in progress with the signed-in agent, and macros of each kind."""
# ruff: noqa: RUF001 - Chinese text has full-width punctuation

import pytest

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.macros.models import Macro, MacroTranslation
from tests.factories import CustomerFactory, drive, submit

RESOLVE_TEXT = (
    "Hello {{ customer.first_name }},\n\n{{ request.reference }} is fixed.\n\n{{ agent.name }}, "
    "{{ department.name }}"
)


def in_progress(customer, department, agent, **fields):
    request = submit(customer, subject=fields.pop("subject", "Printer jams"), **fields)
    return drive(
        request,
        ("route", {"department": department}, SYSTEM),
        ("assign", {"assignee": agent}, SYSTEM),
        ("start", {}, actor_for_user(agent.user)),
    )


@pytest.fixture
def carol(db):
    return CustomerFactory(
        user__username="carol-m", user__first_name="Carol", user__last_name="Meyer"
    )


@pytest.fixture
def working(carol, department, agent):
    agent.user.first_name, agent.user.last_name = "Alice", "Agent"
    agent.user.save(update_fields=["first_name", "last_name"])
    return in_progress(carol, department, agent)


@pytest.fixture
def resolve_macro(department):
    """A department's macro that replies and resolves, with a zh-hans translation."""
    macro = Macro.objects.create(
        name="Fixed", department=department, body=RESOLVE_TEXT, transition="resolve"
    )
    MacroTranslation.objects.create(
        macro=macro,
        language="zh-hans",
        name="已修复",
        body="{{ customer.name }}，您好：{{ request.reference }} 已修复。{{ request.state }}",
    )
    return macro


@pytest.fixture
def personal_macro(agent):
    return Macro.objects.create(
        name="Need a photo",
        owner=agent.user,
        body="Could you send a photo of {{ request.subject|lower }}?",
        transition="request_info",
    )
