"""Accessibility: axe-core (bundled by axe-playwright-python, no download) on the queue, the
request page and the quality dashboard at 1440x900, in English and zh-hans: no serious or
critical violation. Screenshots under test-artifacts/browser/a11y-<lang>-<page>.png."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.tickets import services
from tests.factories import CustomerFactory, drive, submit
from tests.support.admin import agents_group  # noqa: F401 (fixture)
from tests.support.browser import ARTIFACTS, signed_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a11y-pass-2026"
SERIOUS = {"serious", "critical"}


@pytest.fixture
def pages(agents_group, standard_policy):  # noqa: F811  pytest passes the imported fixture by name
    agent, department = signed_in_agent(agents_group, "alice", PASSWORD)
    customer = CustomerFactory(user__username="carol", user__first_name="Carol")
    request = drive(
        submit(customer, subject="VPN disconnects every hour", description="Since Monday."),
        ("route", {"department": department}, SYSTEM),
        ("assign", {"assignee": agent}, SYSTEM),
        ("start", {}, actor_for_user(agent.user)),
    )
    services.do_post_message(request, actor=actor_for_user(customer.user), body="Still **down**.")
    return {
        "queue": reverse("admin:tickets_servicerequest_changelist"),
        "request": reverse("admin:tickets_servicerequest_change", args=[request.pk]),
        "dashboard": reverse("admin:quality_qualitydashboard_changelist"),
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_serious_accessibility_violations(live_server, browser, pages, language):
    context = browser.new_context(
        locale="en-US" if language == "en" else "zh-CN", viewport={"width": 1440, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found = {}
    try:
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", "alice")
        page.fill("#id_password", PASSWORD)
        page.click("[type=submit]")
        page.wait_for_url(re.compile(r".*/admin/$"))
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            page.screenshot(path=str(ARTIFACTS / f"a11y-{language}-{name}.png"), full_page=True)
            violations = Axe().run(page).response["violations"]
            found[name] = [
                (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
                for v in violations
                if v["impact"] in SERIOUS
            ]
    finally:
        context.close()

    assert {name: v for name, v in found.items() if v} == {}
