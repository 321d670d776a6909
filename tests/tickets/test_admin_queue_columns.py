"""The queue's columns: who acts next (customer replied, updated since the agent's last look,
the customer's turn), the age, the queue's name as the title; fixed queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.tickets import services
from apps.tickets.admin.next_move import age
from tests.factories import drive
from tests.tickets.test_admin_request import change_url, changelist_url, routed

pytestmark = pytest.mark.django_db


def next_column(client, request) -> str:
    html = client.get(changelist_url(queue="mine")).content.decode()
    row = html[html.index(f">{request.reference}<") :].split("</tr>", 1)[0]
    return row.split('data-next="', 1)[1].split('"', 1)[0] if 'data-next="' in row else ""


def test_the_next_column_says_who_acts(agent_client, staff_agent, customer, department):
    agent, client_actor = actor_for_user(staff_agent.user), actor_for_user(customer.user)
    request = drive(
        routed(customer, department, subject="Printer jams"),
        ("assign", {"assignee": staff_agent}, SYSTEM),
        ("start", {}, agent),
    )
    assert next_column(agent_client, request) == "new"  # assigned to me, never opened
    agent_client.get(change_url(request))
    assert next_column(agent_client, request) == ""
    services.do_post_message(request, actor=client_actor, body="Still broken")
    assert next_column(agent_client, request) == "replied"
    services.do_post_message(request, actor=agent, body="On it")
    agent_client.get(change_url(request))  # the agent looks
    assert next_column(agent_client, request) == ""
    services.do_post_message(request, actor=agent, body="internal", internal=True)
    assert next_column(agent_client, request) == "updated"
    drive(request, ("request_info", {}, agent))
    assert next_column(agent_client, request) == "customer"


def test_the_queue_is_titled_by_its_name_and_shows_the_age(agent_client):
    response = agent_client.get(changelist_url(queue="mine"))
    assert response.context["title"] == "My open requests"
    assert response.context["is_nav_sidebar_enabled"] is False
    assert [age(timedelta(minutes=m)) for m in (5, 150, 4000)] == ["5m", "2h", "2d"]


def test_the_queue_runs_the_same_queries_with_more_messages(
    agent_client, staff_agent, customer, department
):
    agent = actor_for_user(staff_agent.user)
    requests = [
        drive(
            routed(customer, department, subject=f"R{n}"),
            ("assign", {"assignee": staff_agent}, SYSTEM),
        )
        for n in range(3)
    ]
    with CaptureQueriesContext(connection) as before:
        assert agent_client.get(changelist_url(queue="mine")).status_code == 200
    for request in requests:
        for n in range(4):
            services.do_post_message(request, actor=agent, body=f"m{n}")
    with CaptureQueriesContext(connection) as after:
        assert agent_client.get(changelist_url(queue="mine")).status_code == 200
    assert len(after) == len(before)
