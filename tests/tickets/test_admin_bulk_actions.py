"""Bulk actions of the request list: each request through the door, results reported per request."""

import re

import pytest
from django.contrib.admin import helpers

from apps.accounts.actors import SYSTEM
from apps.eventlog.models import Event
from tests.factories import AgentFactory, drive
from tests.tickets.test_admin_request import changelist_url, flashed, reloaded, routed

pytestmark = pytest.mark.django_db


def confirm(client, action: str, requests, **query):
    """The confirmation page of a bulk action, as the list's action form posts it."""
    response = client.post(
        changelist_url(**query),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [r.pk for r in requests]},
    )
    assert response.status_code == 200, flashed(response)
    return response


def versions(page) -> dict:
    return dict(re.findall(r'name="(version_\d+)" value="(\d+)"', page.content.decode()))


def apply(client, action: str, requests, page, data: dict, **query):
    return client.post(
        changelist_url(**query),
        {
            "action": action,
            "apply": "1",
            helpers.ACTION_CHECKBOX_NAME: [r.pk for r in requests],
            **versions(page),
            **data,
        },
    )


def test_bulk_assign_reports_what_succeeded_and_what_was_refused(
    agent_client, staff_agent, customer, department
):
    first, second, third = (routed(customer, department) for _ in range(3))
    page = confirm(agent_client, "bulk_assign", [first, second, third])
    assert page.context["form"].fields["assignee"].initial == staff_agent.pk
    # A colleague takes the third one while the confirmation page is open.
    colleague = AgentFactory(user__username="bob", departments=[department])
    drive(third, ("assign", {"assignee": colleague}, SYSTEM))

    response = apply(
        agent_client, "bulk_assign", [first, second, third], page, {"assignee": staff_agent.pk}
    )

    assert response.status_code == 302
    done, refused = flashed(response)
    assert done == f"Done on 2 requests: {first.reference}, {second.reference}"
    assert refused.startswith(f"Refused on {third.reference}: ")
    assert "was changed by system (assign at" in refused
    assert [reloaded(r).assignee for r in (first, second, third)] == [
        staff_agent,
        staff_agent,
        colleague,
    ]


def test_bulk_transition_runs_only_where_it_is_open(
    agent_client, staff_agent, customer, department
):
    mine = drive(routed(customer, department), ("assign", {"assignee": staff_agent}, SYSTEM))
    queued = routed(customer, department)
    page = confirm(agent_client, "bulk_transition", [mine, queued])
    assert "start" in dict(page.context["form"].fields["transition"].choices)
    events_before = Event.objects.filter(request=queued).count()

    response = apply(
        agent_client,
        "bulk_transition",
        [mine, queued],
        page,
        {"transition": "start", "reason": "Morning round"},
    )

    done, refused = flashed(response)
    assert done == f"Done on 1 request: {mine.reference}"
    assert f"Refused on {queued.reference}: 'start' is not possible" in refused
    assert (reloaded(mine).state, reloaded(queued).state) == ("in_progress", "queued")
    assert Event.objects.filter(request=queued).count() == events_before
    assert Event.objects.filter(request=mine).last().payload["reason"] == "Morning round"


def test_bulk_priority_changes_each_request_through_the_door(agent_client, customer, department):
    requests = [routed(customer, department, impact="low", urgency="low") for _ in range(2)]
    page = confirm(agent_client, "bulk_priority", requests)

    response = apply(agent_client, "bulk_priority", requests, page, {"priority": "1"})

    [done] = flashed(response)
    assert done.startswith("Done on 2 requests")
    for service_request in requests:
        after = reloaded(service_request)
        assert (after.priority, after.priority_overridden) == (1, True)
        assert Event.objects.filter(request=service_request).last().transition == "reprioritize"


def test_a_bulk_action_never_reaches_requests_outside_the_agents_scope(
    client, other_agent, customer, department
):
    theirs = routed(customer, department)
    client.force_login(other_agent.user)

    response = client.post(
        changelist_url(),
        {"action": "bulk_priority", helpers.ACTION_CHECKBOX_NAME: [theirs.pk]},
    )

    # The selection is filtered by the agent's scope: nothing is selected, nothing runs.
    assert response.status_code == 302
    assert reloaded(theirs).priority == theirs.priority
