"""English and Simplified Chinese: chosen by the browser, or per agent and kept across sign-ins."""

import importlib

import pytest
from django.urls import reverse

from apps.accounts.models import Agent
from apps.tickets.transition_data import AssignData, RouteData
from tests.tickets.test_admin_request import changelist_url

pytestmark = pytest.mark.django_db

LANGUAGE_URL = reverse("admin:tickets_servicerequest_language")


def test_the_browsers_language_is_used_without_a_choice(agent_client):
    chinese = agent_client.get(changelist_url(), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    english = agent_client.get(changelist_url(), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert "我部门的未分配请求" in chinese.content.decode()
    assert "My departments&#x27; unassigned" in english.content.decode()


def test_an_agents_choice_wins_over_the_browser_and_survives_a_new_sign_in(client, staff_agent):
    staff_agent.user.set_password("pw-for-the-test")
    staff_agent.user.save()
    client.login(username=staff_agent.user.username, password="pw-for-the-test")

    response = client.post(LANGUAGE_URL, {"language": "zh-hans", "next": changelist_url()})

    assert response.status_code == 302
    assert response.url == changelist_url()
    assert Agent.objects.get(pk=staff_agent.pk).language == "zh-hans"
    page = client.get(changelist_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "全部未结" in page.content.decode()
    client.logout()
    client.login(username=staff_agent.user.username, password="pw-for-the-test")
    assert "全部未结" in client.get(changelist_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_empty_choice_goes_back_to_the_browsers_language(agent_client, staff_agent):
    agent_client.post(LANGUAGE_URL, {"language": "zh-hans"})

    agent_client.post(LANGUAGE_URL, {"language": "", "next": "https://elsewhere.example/"})

    assert Agent.objects.get(pk=staff_agent.pk).language == ""
    page = agent_client.get(changelist_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert "All open" in page.content.decode()


def test_the_request_page_speaks_chinese(agent_client, customer, department):
    from tests.tickets.test_admin_request import change_url, routed

    service_request = routed(customer, department)

    page = agent_client.get(change_url(service_request), HTTP_ACCEPT_LANGUAGE="zh-hans")

    content = page.content.decode()
    for words in ("对话", "分配给我", "排队中", "取消请求"):
        assert words in content


def test_the_quality_dashboard_and_the_handoff_list_speak_the_agents_chinese(
    agent_client, staff_agent, customer, department, other_department
):
    from django.apps import apps

    from apps.accounts.actors import SYSTEM, actor_for_user
    from apps.handoffs.services import do_request_handoff
    from apps.tickets import services
    from tests.factories import submit

    importlib.import_module(
        "apps.handoffs.migrations.0002_agents_group_handoffs"
    ).grant_handoff_permissions(apps, None)
    working = services.transition(
        services.transition(
            services.transition(
                submit(customer), "route", actor=SYSTEM, data=RouteData(department=department)
            ),
            "assign",
            actor=SYSTEM,
            data=AssignData(assignee=staff_agent),
        ),
        "start",
        actor=actor_for_user(staff_agent.user),
    )
    handoff = do_request_handoff(
        working,
        actor=actor_for_user(staff_agent.user),
        kind="transfer",
        to_department=other_department,
        reason="Billing owns invoices",
    )
    agent_client.post(LANGUAGE_URL, {"language": "zh-hans"})

    dashboard = agent_client.get("/admin/quality/qualitydashboard/", HTTP_ACCEPT_LANGUAGE="en")
    handoffs = agent_client.get(
        reverse("admin:handoffs_handoff_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert dashboard.status_code == 200
    for words in ("工作量与积压", "流程图", "主要变体", 'for="id_department">部门'):
        assert words in dashboard.content.decode()
    assert handoffs.status_code == 200
    for words in ("交接", "转交", "所有权转移", "已申请", "来自我的部门"):
        assert words in handoffs.content.decode()
    assert handoff.reference in handoffs.content.decode()
    assert "Volume and backlog" not in dashboard.content.decode()
