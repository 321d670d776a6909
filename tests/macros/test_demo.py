# ruff: noqa: RUF001 - Chinese text has full-width punctuation
"""The demo's macros: after `load_demo_data` Alice (IT) sees her own and IT's, and one applies
on a demo request in the customer's language."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.accounts.models import Agent, Department
from apps.lifecycle.states import State
from apps.macros import selectors
from apps.macros.services import do_apply_macro
from apps.tickets.models import ServiceRequest
from tests.factories import drive

pytestmark = pytest.mark.django_db


def test_the_demo_desk_has_macros_for_alice():
    call_command("load_demo_data", stdout=StringIO())
    alice = actor_for_user(Agent.objects.get(user__username="alice").user)
    names = [m.name for m in selectors.list_macros_for(alice)]
    assert names == ["On it", "Password reset done", "Fixed, please confirm", "Need more details"]
    # Li writes in Chinese; her request goes to Alice, who asks for details with IT's macro.
    chinese = drive(
        ServiceRequest.objects.get(subject="无法登录邮箱"),
        ("route", {"department": Department.objects.get(code="it")}, SYSTEM),
        ("assign", {"assignee": Agent.objects.get(user__username="alice")}, SYSTEM),
        ("start", {}, alice),
    )
    macro = next(m for m in selectors.list_macros_for(alice) if m.name == "Need more details")
    applied = do_apply_macro(chinese, macro=macro, actor=alice)
    assert applied.message.body.startswith("Li Wei，您好：")
    assert "Alice Chen，IT support" in applied.message.body
    assert ServiceRequest.objects.get(pk=chinese.pk).state == State.PENDING_CUSTOMER
