"""An approver's round at 1440x900, in English and in zh-hans: the home's "Awaiting my approval"
queue, the request with who approves and why, approve from the page, reject on its own page with
a reason. Screenshots of each step under test-artifacts/browser/approval-<lang>-<step>.png."""

import re

import pytest
from django.contrib.auth.models import Group

from apps.lifecycle.states import State
from apps.tickets.models import Category, ServiceRequest
from tests.factories import CustomerFactory, submit
from tests.support.admin import agents_group  # noqa: F401 (fixture)
from tests.support.browser import ARTIFACTS, open_queue_from_home, signed_in_agent
from tests.tickets.test_browser_workspace import visible_without_scrolling
from workflows.routing import route_request

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "approval-pass-2026"


@pytest.fixture
def desk(agents_group: Group, standard_policy):  # noqa: F811  pytest passes the imported fixture by name
    lead, department = signed_in_agent(agents_group, "ivan", PASSWORD)
    department.leads.add(lead.user)
    laptops = Category.objects.create(
        name="New laptop", default_department=department, requires_approval=True
    )
    customer = CustomerFactory(user__username="dave", user__first_name="Dave")
    requests = [
        submit(customer, subject=subject, category=laptops, description=text)
        for subject, text in (
            ("Laptop for our new designer", "She starts on Monday and needs a 16-inch laptop."),
            ("A second monitor and a gaming laptop", "For the office party."),
        )
    ]
    for request in requests:
        route_request(request.pk)
    return {"approve": requests[0], "reject": requests[1]}


def sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", "ivan")
    page.fill("#id_password", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_approvers_round_at_1440x900(live_server, browser, desk, language):
    context = browser.new_context(
        locale="en-US" if language == "en" else "zh-CN",
        viewport={"width": 1440, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(step: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"approval-{language}-{step}.png"))

    try:
        sign_in(page, live_server.url)
        shot("1-home")
        open_queue_from_home(page, "my_approval", rows=2)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1440
        shot("2-queue")

        page.get_by_role("link", name=desk["approve"].reference).first.click()
        page.wait_for_selector("#request-approval")
        for selector in ("#request-approval", "[data-transition=approve]"):
            assert visible_without_scrolling(page, selector), selector
        panel = page.locator("#request-approval").inner_text()
        assert "IT support" in panel and "New laptop" in panel
        names = page.locator("#request-transitions [data-transition]")
        order = [names.nth(i).get_attribute("data-transition") for i in range(names.count())]
        # Approve first; the destructive ones (reject on its own page, cancel) last.
        assert order[0] == "approve" and set(order[-2:]) == {"reject", "cancel"}
        shot("3-request")

        page.locator("[data-transition=approve]").click()
        page.wait_for_selector(".messagelist .success")
        shot("4-approved")
        approved = ServiceRequest.objects.get(pk=desk["approve"].pk)
        assert approved.state == State.NEW and approved.approved_at is not None

        page.goto(f"{live_server.url}/admin/tickets/servicerequest/{desk['reject'].pk}/change/")
        page.locator("[data-transition=reject]").click()
        page.wait_for_selector("#transition_data_form")
        page.locator("#transition_data_form [type=submit]").click()  # no reason: refused
        page.wait_for_selector(".errornote")
        shot("5-reject-needs-reason")
        page.fill("#id_reason", "Gaming laptops are not office equipment.")
        page.locator("#transition_data_form [type=submit]").click()
        page.wait_for_selector(".messagelist .success")
        state = page.locator("#request-header [data-state]").get_attribute("data-state")
        assert state == "closed"
        shot("6-rejected")
    finally:
        context.close()
