"""The request page as the agent works it: Markdown rendered and sanitised, destructive
transitions last and guarded, the customer's other requests, one time zone, fixed queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.tickets import services
from apps.tickets.admin import language
from tests.factories import drive, submit
from tests.tickets.test_admin_request import change_url, routed

pytestmark = pytest.mark.django_db


def worked_on(customer, department, agent):
    request = drive(
        routed(customer, department, subject="Printer jams"),
        ("assign", {"assignee": agent}, SYSTEM),
        ("start", {}, actor_for_user(agent.user)),
    )
    return request


def test_messages_are_markdown_rendered_and_sanitised(
    agent_client, staff_agent, customer, department
):
    request = worked_on(customer, department, staff_agent)
    services.do_post_message(
        request,
        actor=actor_for_user(customer.user),
        body="**bold** and [a link](https://example.org)\n<script>alert(1)</script>"
        '<a href="javascript:alert(2)">x</a>',
    )
    html = agent_client.get(change_url(request)).content.decode()
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert "alert(1)" not in html
    assert "javascript:" not in html


def test_destructive_transitions_come_last_and_ask_first(
    agent_client, staff_agent, customer, department
):
    request = worked_on(customer, department, staff_agent)
    response = agent_client.get(change_url(request))
    names = [t["name"] for t in response.context["transitions"]]
    assert names.index("cancel") == len(names) - 1
    html = response.content.decode()
    cancel = html[html.index('data-transition="cancel"') :].split(">", 1)[0]
    assert "data-confirm=" in cancel
    resolve = html[html.index('data-transition="resolve"') :].split(">", 1)[0]
    assert "data-confirm" not in resolve


def test_the_side_panel_lists_the_customers_other_requests(
    agent_client, staff_agent, customer, department
):
    request = worked_on(customer, department, staff_agent)
    other = routed(customer, department, subject="Second screen flickers")
    submit(subject="Someone else's")
    response = agent_client.get(change_url(request))
    assert [r.pk for r in response.context["other_requests"]] == [other.pk]
    assert "Second screen flickers" in response.content.decode()


def test_times_show_in_the_desks_time_zone_after_sign_in(
    client, staff_agent, customer, department, settings
):
    settings.SERVICEDESK_ADMIN_TIME_ZONE = "Europe/Berlin"
    staff_agent.user.set_password("pw-2026-x")
    staff_agent.user.save()
    assert client.login(username=staff_agent.user.username, password="pw-2026-x")
    assert client.session[language.TIME_ZONE_KEY] == "Europe/Berlin"
    request = worked_on(customer, department, staff_agent)
    services.do_post_message(request, actor=actor_for_user(customer.user), body="hello")
    html = client.get(change_url(request)).content.decode()
    assert " CET</time>" in html or " CEST</time>" in html
    assert " UTC</time>" not in html


def test_the_page_runs_the_same_queries_with_more_messages_and_events(
    agent_client, staff_agent, customer, department, standard_policy
):
    request = worked_on(customer, department, staff_agent)
    services.do_post_message(request, actor=actor_for_user(customer.user), body="first")
    with CaptureQueriesContext(connection) as before:
        assert agent_client.get(change_url(request)).status_code == 200
    for n in range(6):
        services.do_post_message(request, actor=actor_for_user(staff_agent.user), body=f"a {n}")
        services.do_post_message(request, actor=actor_for_user(customer.user), body=f"c {n}")
        services.do_post_message(
            request, actor=actor_for_user(staff_agent.user), body=f"note {n}", internal=True
        )
    with CaptureQueriesContext(connection) as after:
        assert agent_client.get(change_url(request)).status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]


def test_the_freshness_view_says_who_changed_the_request_since_the_page(
    agent_client, staff_agent, customer, department
):
    from django.urls import reverse

    from tests.factories import AgentFactory

    request = worked_on(customer, department, staff_agent)
    url = reverse("admin:tickets_servicerequest_freshness", args=[request.pk])
    seen = request.last_event_seq
    assert agent_client.get(url, {"seen": seen}).json() == {"changed": False}
    services.do_post_message(request, actor=actor_for_user(staff_agent.user), body="mine")
    assert agent_client.get(url, {"seen": seen}).json() == {"changed": False}  # own change
    colleague = AgentFactory(user__username="bob", departments=[department])
    services.do_post_message(request, actor=actor_for_user(colleague.user), body="theirs")
    answer = agent_client.get(url, {"seen": seen}).json()
    assert answer["changed"] is True
    assert answer["notice"].startswith("bob changed this request (a message at ")
    assert agent_client.get(url, {"seen": "x"}).json() == {"changed": False}
    missing = reverse("admin:tickets_servicerequest_freshness", args=[request.pk + 1000])
    assert agent_client.get(missing).status_code == 404
