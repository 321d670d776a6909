"""The macro screens at 1440x900 in English and zh-hans: an agent adds a personal macro, is told
about an unknown variable, fixes it, and sees it listed beside the department's. Screenshots
under test-artifacts/browser/macros-<lang>-<step>.png."""

import pytest
from django.contrib.auth.models import Group

from apps.macros.models import Macro
from tests.support.admin import agents_group  # noqa: F401 (fixture)
from tests.support.browser import ARTIFACTS, signed_in_agent
from tests.tickets.test_browser_workspace import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_agent_keeps_a_personal_macro(live_server, browser, agents_group: Group, language):  # noqa: F811  pytest passes the imported fixture by name
    agent, department = signed_in_agent(agents_group, "alice", PASSWORD)
    Macro.objects.create(
        name="Fixed, please confirm",
        department=department,
        transition="resolve",
        body="Hello {{ customer.first_name }}, {{ request.reference }} is fixed.",
        usage_count=12,
    )
    context = browser.new_context(
        locale="en-US" if language == "en" else "zh-CN",
        viewport={"width": 1440, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/macros/macro/add/")
        page.fill("#id_name", "Need a photo")
        page.fill("#id_body", "Hi {{ customer.nickname }}, a photo of {{ request.subject }}?")
        page.select_option("#id_transition", "request_info")
        page.locator("[name=_save]").click()
        error = page.locator(".errorlist").first.inner_text()
        assert "{{ customer.nickname }}" in error
        page.screenshot(path=str(ARTIFACTS / f"macros-{language}-1-refused.png"), full_page=True)

        page.fill("#id_body", "Hi {{ customer.first_name }}, a photo of {{ request.subject }}?")
        page.locator("[name=_save]").click()
        page.wait_for_selector(".messagelist .success")
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == 2
        assert page.evaluate("document.documentElement.scrollWidth") <= 1440
        page.screenshot(path=str(ARTIFACTS / f"macros-{language}-2-list.png"))
        assert Macro.objects.get(name="Need a photo").owner == agent.user
    finally:
        context.close()
