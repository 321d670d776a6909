"""The queue at 1440x900 in English and zh-hans: it fits without scrolling sideways, a stale
list says how many requests changed after another agent's change (rows stay put until the agent
refreshes), a saved view round trip, and keyboard navigation with the shortcut help.
Screenshots under test-artifacts/browser/queue-<lang>-<step>.png."""

import pytest
from django.contrib.auth.models import Group

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.tickets import services
from tests.factories import AgentFactory, CustomerFactory, drive, submit
from tests.support.admin import agents_group  # noqa: F401 (fixture)
from tests.support.browser import ARTIFACTS, open_queue_from_home, signed_in_agent
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


def fits(page) -> None:
    """No sideways scrolling, no column hidden, long subjects truncated with a tooltip."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    # The table is no wider than the box that holds it (which would hide the last columns).
    assert page.evaluate(
        "(() => { const box = document.querySelector('#changelist .results');"
        " return box.scrollWidth <= box.clientWidth; })()"
    )
    assert page.locator("#result_list td.field-age").first.is_visible()
    subject = page.locator("#result_list td.field-subject", has_text="third floor")
    assert subject.get_attribute("title") == LONG
    assert subject.evaluate("cell => cell.scrollWidth > cell.clientWidth")


def moves_by_keyboard(page, shot) -> None:
    """j down, k up, ? the help, Escape closes it; typing in the search box is no shortcut."""
    for key in "jjkj":
        page.keyboard.press(key)
    current = page.locator("#result_list tbody tr.kbd-current")
    assert current.count() == 1
    assert current.evaluate("row => row.rowIndex") == 2
    page.keyboard.press("?")
    assert page.locator("#shortcut-help").is_visible()
    shot("2-shortcuts")
    page.keyboard.press("Escape")
    assert page.locator("#shortcut-help").is_hidden()
    page.locator("#searchbar").press("j")
    assert page.input_value("#searchbar") == "j"
    assert current.evaluate("row => row.rowIndex") == 2
    page.locator("#searchbar").fill("")


def hears_of_a_colleagues_change(page, queue, shot) -> None:
    """The list says a request changed and keeps its rows until the agent refreshes."""
    rows = page.locator("#result_list tbody tr")
    first_rows = rows.all_inner_texts()
    colleague = AgentFactory(user__username="bob", departments=[queue["department"]])
    drive(queue["requests"][0], ("reassign", {"assignee": colleague}, SYSTEM))
    page.wait_for_selector("#queue-live:not([hidden])")
    assert "1" in page.locator("#queue-live .text").inner_text()
    assert rows.all_inner_texts() == first_rows
    shot("3-changed-notice")
    page.locator("#queue-refresh").click()
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 2
    assert page.locator("#queue-live").is_hidden()


def saves_a_view(page, base_url: str, name: str, shot) -> None:
    """Two columns under a name; the view opens again from the home page."""
    page.locator("#save-view summary").click()
    page.fill("#id_view_name", name)
    for box in page.locator("#save-view input[name=columns]").all():
        if box.get_attribute("value") not in {"subject", "next"}:
            box.uncheck()
    shot("4-save-view")
    page.locator("#save-view [type=submit]").click()
    page.wait_for_selector(".saved-views .view-link.current")
    assert page.locator("#result_list thead th").count() == 4  # tick box, reference, two
    shot("5-saved-view-list")
    page.goto(f"{base_url}/admin/")
    shot("5-home-views")
    page.locator("#home-queues .views a", has_text=name).click()
    page.wait_for_selector(".saved-views .view-link.current")
    assert page.locator("#result_list thead th").count() == 4


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
        open_queue_from_home(page, "mine", rows=3)
        assert page.locator("#queue-live").is_hidden()
        fits(page)
        shot("1-queue")
        moves_by_keyboard(page, shot)
        hears_of_a_colleagues_change(page, queue, shot)
        saves_a_view(page, live_server.url, "VPN" if language == "en" else "VPN 队列", shot)

        # Open with the keyboard; on the request page a typed "a" stays text.
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

        # The new request: "a" assigns it to me, "?" lists the request page's keys.
        page.locator("#home-queues [data-queue=unassigned] a").click()
        page.locator("#result_list tbody a").first.click()
        page.wait_for_selector("#assign_to_me_form")
        page.keyboard.press("?")
        assert page.locator("#shortcut-help").is_visible()
        page.screenshot(path=str(ARTIFACTS / "queue-en-request-shortcuts.png"))
        page.keyboard.press("Escape")
        page.keyboard.press("a")
        page.wait_for_selector(".messagelist .success")
        assert page.locator("#request-header").inner_text().count("alice") >= 1
        assert page.locator("#assign_to_me_form").count() == 0
    finally:
        context.close()
