"""An agent's path through the admin in a real browser: queue, assign to me, reply, resolve."""

import re

import pytest
from django.contrib.auth.models import Group

from apps.accounts.actors import SYSTEM
from apps.eventlog.models import Event
from apps.tickets.models import Message, ServiceRequest
from tests.factories import CustomerFactory, drive, submit
from tests.support.admin import agents_group  # noqa: F401 (fixture)
from tests.support.browser import signed_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-pass-2026"


@pytest.fixture
def desk(agents_group: Group, standard_policy):  # noqa: F811  pytest passes the imported fixture by name
    agent, department = signed_in_agent(agents_group, "alice", PASSWORD)
    customer = CustomerFactory(user__username="carol")
    waiting = drive(
        submit(customer, subject="Printer jams on every page", description="Since Monday."),
        ("route", {"department": department}, SYSTEM),
    )
    submit(customer, subject="Untriaged: not in the unassigned queue")
    return {"agent": agent, "request": waiting}


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/tickets/servicerequest/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/tickets/servicerequest/$"))


def test_an_agent_takes_replies_to_and_resolves_a_request(live_server, page, screenshot, desk):
    service_request = desk["request"]
    sign_in(page, live_server.url, "alice")

    page.get_by_role("link", name="My departments' unassigned").click()
    page.wait_for_url(re.compile(r".*queue=unassigned"))
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "Printer jams" in rows.first.inner_text()
    assert rows.first.locator(".sla-badge").get_attribute("data-sla") == "green"
    screenshot("queue-unassigned")

    rows.first.get_by_role("link", name=service_request.reference).click()
    page.locator("[data-action=assign_to_me]").click()
    page.wait_for_selector(".messagelist .success")
    assert page.locator("#request-assignee").inner_text() == "alice"
    assert page.locator("#request-header [data-state]").get_attribute("data-state") == "assigned"

    page.fill("#id_reply_body", "We are sending a technician this afternoon.")
    page.locator("[data-action=reply]").click()
    page.wait_for_selector(".messagelist .success")
    assert "sending a technician" in page.locator("#conversation").inner_text()

    page.locator("[data-transition=start]").click()
    page.wait_for_selector("[data-transition=resolve]")
    page.fill("#id_transition_reason", "Technician replaced the roller.")
    page.locator("[data-transition=resolve]").click()
    page.wait_for_selector(".messagelist .success")

    assert page.locator("#request-header [data-state]").get_attribute("data-state") == "resolved"
    # Every clock stopped: the badges turn grey and say whether the target was met.
    badges = page.locator("#request-sla .sla-badge")
    assert badges.count() >= 2
    assert {badges.nth(i).get_attribute("data-sla") for i in range(badges.count())} == {"grey"}
    page.locator("#request-sla summary").click()  # the details are collapsed below the work
    assert "met" in page.locator("#request-sla").inner_text()
    page.locator("#request-timeline summary").click()
    timeline = page.locator(".inline-group").last.inner_text()
    for word in ("Assign", "Start", "Resolve", "Technician replaced the roller."):
        assert word in timeline
    assert "clock stopped" in timeline
    screenshot("request-resolved")

    saved = ServiceRequest.objects.get(pk=service_request.pk)
    assert (saved.state, saved.assignee_id) == ("resolved", desk["agent"].pk)
    assert Message.objects.filter(request=saved, author=desk["agent"].user).count() == 1
    transitions = list(
        Event.objects.filter(request=saved, kind="transition").values_list("transition", flat=True)
    )
    assert transitions[-3:] == ["assign", "start", "resolve"]
