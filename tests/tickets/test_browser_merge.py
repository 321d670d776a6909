"""Merging a duplicate and linking a related request in the workspace at 1440x900, in English and
zh-hans: open the duplicate, Merge into…, name the target, see it, confirm; the target shows the
moved conversation and the duplicate its pointer; link and unlink on the side panel. Screenshots
of each step under test-artifacts/browser/merge-<lang>-<step>.png."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.tickets import services
from apps.tickets.models import RequestLink, ServiceRequest
from tests.factories import CustomerFactory, drive, submit
from tests.support.admin import agents_group  # noqa: F401 (fixture)
from tests.support.browser import ARTIFACTS, signed_in_agent
from tests.tickets.test_browser_workspace import PASSWORD, sign_in, visible_without_scrolling

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(agents_group: Group, standard_policy):  # noqa: F811  pytest passes the imported fixture by name
    agent, department = signed_in_agent(agents_group, "alice", PASSWORD)
    customer = CustomerFactory(user__username="carol", user__first_name="Carol")
    customer_actor = actor_for_user(customer.user)
    agent_actor = actor_for_user(agent.user)

    def worked(subject: str, description: str):
        return drive(
            submit(customer, subject=subject, description=description),
            ("route", {"department": department}, SYSTEM),
            ("assign", {"assignee": agent}, SYSTEM),
            ("start", {}, agent_actor),
        )

    target = worked("Printer on the third floor jams", "It jams on every page.")
    services.do_post_message(target, actor=agent_actor, body="Checking the rollers.")
    duplicate = worked("Printer broken again", "Third floor printer: paper stuck.")
    services.do_post_message(duplicate, actor=customer_actor, body="It is the HP one, room 3.14.")
    related = worked("Toner order for the third floor", "We need toner.")
    return {"target": target, "duplicate": duplicate, "related": related}


def change_url(base: str, request) -> str:
    return f"{base}/admin/tickets/servicerequest/{request.pk}/change/"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_merge_and_link_at_1440x900(live_server, browser, desk, language):
    target, duplicate, related = desk["target"], desk["duplicate"], desk["related"]
    context = browser.new_context(
        locale="en-US" if language == "en" else "zh-CN",
        viewport={"width": 1440, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(step: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"merge-{language}-{step}.png"))

    try:
        sign_in(page, live_server.url)
        page.goto(change_url(live_server.url, duplicate))
        merge = page.locator("[data-transition=merge]")
        # Merging closes the request: after the work, marked as such, not the first button.
        assert "danger" in (merge.get_attribute("class") or "")
        names = page.locator("#request-transitions [data-transition]")
        order = [names.nth(i).get_attribute("data-transition") for i in range(names.count())]
        assert order.index("merge") > order.index("resolve")
        shot("1-duplicate")

        merge.click()
        page.wait_for_selector("#merge_form")
        page.fill("#id_into", target.reference)
        shot("2-ask-target")
        page.locator("[data-action=find-target]").click()
        page.wait_for_selector("#merge-target")
        assert "Printer on the third floor jams" in page.locator("#merge-target").inner_text()
        assert ServiceRequest.objects.get(pk=duplicate.pk).state == "in_progress"
        shot("3-confirm")
        assert serious_violations(page, "#content-main") == []

        page.locator("[data-action=confirm-merge]").click()
        page.wait_for_url(re.compile(rf".*/{target.pk}/change/"))
        page.wait_for_selector(".messagelist .success")
        thread = page.locator("#conversation").inner_text()
        assert "room 3.14" in thread and duplicate.reference in thread
        assert page.locator("#request-related [data-relation=merged_here]").count() == 1
        for selector in ("#request-header", "#id_reply_body", "[data-transition=resolve]"):
            assert visible_without_scrolling(page, selector), selector
        shot("4-target")
        assert serious_violations(page, "#request-related") == []

        link_and_unlink(page, related, shot)

        page.goto(change_url(live_server.url, duplicate))
        pointer = page.locator("#merged-into")
        assert target.reference in pointer.inner_text()
        assert page.locator("#request-header [data-state]").get_attribute("data-state") == (
            "closed"
        )
        shot("7-duplicate-closed")
    finally:
        context.close()


def link_and_unlink(page, related, shot) -> None:
    """On the request page: link the related request from the side panel, then unlink it."""
    page.fill("#id_link_to", related.reference)
    page.locator("[data-action=link]").click()
    page.wait_for_selector(f"#request-related [data-reference='{related.reference}']")
    assert RequestLink.objects.count() == 1
    assert visible_without_scrolling(page, "#id_reply_body")
    shot("5-linked")

    row = f"#request-related [data-reference='{related.reference}']"
    page.locator(f"{row} button").click()
    page.wait_for_selector(row, state="detached")
    assert RequestLink.objects.count() == 0
    shot("6-unlinked")


def serious_violations(page, selector: str) -> list[str]:
    """axe-core's serious and critical violations within `selector`."""
    results = Axe().run(page, context=selector)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
