"""Macros in the admin: the picker in the request page's reply box, sending with a macro through
the reply view, the macro screens (personal for everyone, a department's for its leads), and
the request page's queries staying flat."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.lifecycle.states import State
from apps.macros.models import Macro
from apps.tickets.models import Message, ServiceRequest
from tests.factories import AgentFactory
from tests.support.admin import make_staff
from tests.tickets.test_admin_request import change_url, flashed

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/macros/macro/add/"


def reply_url(service_request) -> str:
    return reverse("admin:tickets_servicerequest_reply", args=[service_request.pk])


def edit_url(macro) -> str:
    return reverse("admin:macros_macro_change", args=[macro.pk])


def test_the_reply_box_offers_the_agents_macros_rendered_for_the_customer(
    agent_client, working, resolve_macro, personal_macro
):
    page = agent_client.get(change_url(working))
    [tool] = page.context["reply_tools"]
    by_name = {m["name"]: m for m in tool["tool"]["macros"]}
    assert by_name["Fixed"]["text"].startswith(f"Hello Carol,\n\n{working.reference} is fixed.")
    assert by_name["Fixed"]["then"] == "Resolve"
    assert by_name["Need a photo"]["open"] is True
    content = page.content.decode()
    assert 'id="id_reply_macro"' in content
    assert 'id="macro-choices"' in content


def test_sending_with_a_macro_replies_and_runs_its_transition(agent_client, working, resolve_macro):
    page = agent_client.get(change_url(working))
    response = agent_client.post(
        reply_url(working),
        {"body": "Edited text", "seen_seq": page.context["seen_seq"], "macro": resolve_macro.pk},
        follow=True,
    )
    [message] = flashed(response)
    assert "with the macro 'Fixed'" in message
    assert ServiceRequest.objects.get(pk=working.pk).state == State.RESOLVED
    assert Message.objects.get(request=working).body == "Edited text"
    # The timeline says the transition came with the macro.
    assert "with the macro &#x27;Fixed&#x27;" in response.content.decode()
    resolve_macro.refresh_from_db()
    assert resolve_macro.usage_count == 1


def test_a_macro_with_an_internal_note_is_refused_and_the_text_kept(
    agent_client, working, resolve_macro
):
    page = agent_client.get(change_url(working))
    response = agent_client.post(
        reply_url(working),
        {
            "body": "Keep me",
            "internal": "on",
            "seen_seq": page.context["seen_seq"],
            "macro": resolve_macro.pk,
        },
        follow=True,
    )
    assert "untick 'Internal note'" in flashed(response)[0]
    assert not Message.objects.filter(request=working).exists()
    assert response.context["reply_draft"] == "Keep me"
    assert ServiceRequest.objects.get(pk=working.pk).state == State.IN_PROGRESS


def test_the_request_page_runs_the_same_queries_with_more_macros(
    agent_client, working, resolve_macro, agent
):
    with CaptureQueriesContext(connection) as before:
        assert agent_client.get(change_url(working)).status_code == 200
    for n in range(5):
        Macro.objects.create(name=f"M{n}", owner=agent.user, body="Hi {{ customer.name }}")
    with CaptureQueriesContext(connection) as after:
        assert agent_client.get(change_url(working)).status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]


def test_an_agent_adds_a_personal_macro_and_is_told_about_unknown_variables(
    agent_client, staff_agent
):
    form = {
        "name": "Greeting",
        "department": "",
        "language": "en",
        "body": "Hi {{ customer.nickname }}",
        "transition": "",
        "is_active": "on",
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
    }
    refused = agent_client.post(ADD_URL, form)
    assert refused.status_code == 200
    assert "Unknown variable {{ customer.nickname }}" in refused.content.decode()
    assert agent_client.post(ADD_URL, {**form, "body": "Hi {{ customer.name }}"}).status_code == 302
    macro = Macro.objects.get(name="Greeting")
    assert macro.owner == staff_agent.user
    assert macro.department is None


def test_only_leads_change_a_departments_macros(
    agent_client, staff_agent, resolve_macro, department, agents_group
):
    page = agent_client.get(edit_url(resolve_macro))
    assert page.status_code == 200  # seen, to use it
    assert page.context["has_change_permission"] is False
    assert agent_client.post(edit_url(resolve_macro), {"name": "Mine now"}).status_code == 403
    # A plain agent cannot share a macro with the department either.
    choices = agent_client.get(ADD_URL).context["adminform"].form.fields["department"].queryset
    assert list(choices) == []

    lead = make_staff(AgentFactory(user__username="lena", departments=[department]), agents_group)
    department.leads.add(lead.user)
    client = Client()
    client.force_login(lead.user)
    page = client.get(edit_url(resolve_macro))
    assert page.context["has_change_permission"] is True
    assert list(page.context["adminform"].form.fields["department"].queryset) == [department]
    translation = resolve_macro.translations.get()
    saved = client.post(
        edit_url(resolve_macro),
        {
            "name": "Fixed for good",
            "department": department.pk,
            "language": "en",
            "body": resolve_macro.body,
            "transition": "resolve",
            "is_active": "on",
            "translations-TOTAL_FORMS": "1",
            "translations-INITIAL_FORMS": "1",
            "translations-0-id": translation.pk,
            "translations-0-macro": resolve_macro.pk,
            "translations-0-language": "zh-hans",
            "translations-0-name": "已修复",
            "translations-0-body": "{{ customer.name }} {{ request.bogus }}",
        },
    )
    assert saved.status_code == 200  # the translation's unknown variable is refused too
    assert "Unknown variable {{ request.bogus }}" in saved.content.decode()


def test_a_colleagues_personal_macro_is_not_listed(
    agent_client, personal_macro, department, agents_group
):
    colleague = make_staff(
        AgentFactory(user__username="dan", departments=[department]), agents_group
    )
    client = Client()
    client.force_login(colleague.user)
    assert client.get(edit_url(personal_macro)).status_code == 302  # "does not exist"
    listing = client.get("/admin/macros/macro/").content.decode()
    assert "Need a photo" not in listing
    assert "Need a photo" in agent_client.get("/admin/macros/macro/").content.decode()
