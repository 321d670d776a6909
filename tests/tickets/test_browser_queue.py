"""The queue at 1440x900 in English and zh-hans: it fits without scrolling sideways, a stale
list says how many requests changed after another agent's change (rows stay put until the agent
refreshes), a saved view round trip, and keyboard navigation with the shortcut help.
Screenshots under test-artifacts/browser/queue-<lang>-<step>.png."""

import re

import pytest
from django.contrib.auth.models import Group

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.tickets import services
from tests.factories import AgentFactory, CustomerFactory, drive, submit
from tests.support.admin import agents_group  # noqa: F401 (fixture)
from tests.support.browser import ARTIFACTS, signed_in_agent
from tests.tickets.test_browser_workspace import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LONG = (
    "The printer on the third floor jams on every page since the toner was changed, and the "
    "scanner beside it has stopped sending to e-mail as well"
)


@pytest.fixture
def queue(agents_group: Group, standard_policy):  # noqa: F811  pytest passes the imported fixture by name
    agent, department = signed_in_agent(agents_group, "alice", PASSWORD)
    customer = CustomerFactory(
        user__username="carol", user__first_name="Carolina", user__last_name="Fernández-Weber"
    )
    requests = []
    for n, subject in enumerate([LONG, "VPN drops every hour", "New laptop for Dana"]):
        request = drive(
            submit(customer, subject=subject),
            ("route", {"department": department}, SYSTEM),
            ("assign", {"assignee": agent}, SYSTEM),
        )
        if n == 1:
            services.do_post_message(request, actor=actor_for_user(customer.user), body="Again!")
        requests.append(request)
    return {"agent": agent, "department": department, "requests": requests, "customer": customer}


def new_page(browser, language: str):
    context = browser.new_context(
        locale="en-US" if language == "en" else "zh-CN",
        viewport={"width": 1440, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return context, page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_queue_fits_refreshes_saves_views_and_moves_by_keyboard(
    live_server, browser, queue, language, settings
):
    settings.SERVICEDESK_ADMIN_POLL_SECONDS = 1
    context, page = new_page(browser, language)

    def shot(step: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"queue-{language}-{step}.png"))

    try:
        sign_in(page, live_server.url)
        assert page.locator("#home-queues [data-queue=mine] .count").inner_text() == "3"
        page.locator("#home-queues [data-queue=mine] a").click()
        page.wait_for_url(re.compile(r".*queue=mine"))
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= 1440
        # No column hidden: the table is no wider than the box that holds it.
        assert page.evaluate(
            "(() => { const box = document.querySelector('#changelist .results');"
            " return box.scrollWidth <= box.clientWidth; })()"
        )
        assert page.locator("#result_list td.field-age").first.is_visible()
        subject = page.locator("#result_list td.field-subject", has_text="third floor")
        assert subject.get_attribute("title") == LONG  # truncated, the whole as a tooltip
        assert subject.evaluate("cell => cell.scrollWidth > cell.clientWidth")
        assert page.locator("#queue-live").is_hidden()
        shot("1-queue")

        # Keyboard: j moves down, k up, ? shows the help, Escape closes it, o opens.
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("k")
        page.keyboard.press("j")
        current = page.locator("#result_list tbody tr.kbd-current")
        assert current.count() == 1
        assert current.evaluate("row => row.rowIndex") == 2
        page.keyboard.press("?")
        assert page.locator("#shortcut-help").is_visible()
        shot("2-shortcuts")
        page.keyboard.press("Escape")
        assert page.locator("#shortcut-help").is_hidden()
        # Typing in the search box is not a shortcut.
        page.locator("#searchbar").fill("")
        page.locator("#searchbar").press("j")
        assert page.input_value("#searchbar") == "j"
        assert current.evaluate("row => row.rowIndex") == 2
        page.locator("#searchbar").fill("")

        # Another agent's change: the list says so and keeps its rows until refreshed.
        first_rows = rows.all_inner_texts()
        colleague = AgentFactory(user__username="bob", departments=[queue["department"]])
        drive(queue["requests"][0], ("reassign", {"assignee": colleague}, SYSTEM))
        page.wait_for_selector("#queue-live:not([hidden])")
        notice = page.locator("#queue-live .text").inner_text()
        assert "1" in notice
        assert rows.all_inner_texts() == first_rows
        shot("3-changed-notice")
        page.locator("#queue-refresh").click()
        page.wait_for_selector("#result_list")
        assert page.locator("#result_list tbody tr").count() == 2
        assert page.locator("#queue-live").is_hidden()

        # A saved view: only two columns, found again on the home page.
        page.locator("#save-view summary").click()
        page.fill("#id_view_name", "VPN" if language == "en" else "VPN 队列")
        for box in page.locator("#save-view input[name=columns]").all():
            if box.get_attribute("value") not in {"subject", "next"}:
                box.uncheck()
        shot("4-save-view")
        page.locator("#save-view [type=submit]").click()
        page.wait_for_selector(".saved-views .view-link.current")
        headers = page.locator("#result_list thead th").all_inner_texts()
        assert len(headers) == 4  # the tick box, the reference, the subject, next
        shot("5-saved-view")
        page.goto(f"{live_server.url}/admin/")
        page.locator("#home-queues .views a").first.click()
        page.wait_for_selector(".saved-views .view-link.current")
        assert page.locator("#result_list thead th").count() == 4

        # Open with the keyboard; on the request page "a" is not stolen while typing.
        page.keyboard.press("j")
        page.keyboard.press("o")
        page.wait_for_selector("#reply-box")
        page.keyboard.press("r")
        page.keyboard.type("a quick answer")
        assert page.input_value("#id_reply_body") == "a quick answer"
        shot("6-request")
    finally:
        context.close()


def test_the_home_counts_refresh_without_a_reload(live_server, browser, queue, settings):
    settings.SERVICEDESK_ADMIN_POLL_SECONDS = 1
    context, page = new_page(browser, "en")
    try:
        sign_in(page, live_server.url)
        count = page.locator("#home-queues [data-queue=unassigned] .count")
        assert count.inner_text() == "0"
        drive(
            submit(queue["customer"], subject="Screen flickers"),
            ("route", {"department": queue["department"]}, SYSTEM),
        )
        page.wait_for_selector("#home-queues [data-queue=unassigned] .count.changed")
        assert count.inner_text() == "1"
        page.screenshot(path=str(ARTIFACTS / "queue-en-home-counts.png"))
    finally:
        context.close()
