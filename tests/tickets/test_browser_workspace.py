"""An agent's day in the workspace at 1440x900, in English and in zh-hans: sign in, open the
queue, open a request, reply with a macro that also resolves it; the reply box and the
transitions are on the first screen. Screenshots of each step under
test-artifacts/browser/workspace-<lang>-<step>.png."""

import re

import pytest
from django.contrib.auth.models import Group

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.macros.models import Macro, MacroTranslation
from apps.tickets import services
from tests.factories import AgentFactory, CustomerFactory, drive, submit
from tests.support.admin import agents_group  # noqa: F401 (fixture)
from tests.support.browser import ARTIFACTS, open_queue_from_home, signed_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "workspace-pass-2026"
BOT_ANSWER = (
    "**Try this first:**\n\n1. Open the tray\n2. Remove the *jammed* sheet\n\n"
    "<script>alert(1)</script>"
)


@pytest.fixture
def desk(agents_group: Group, standard_policy):  # noqa: F811  pytest passes the imported fixture by name
    agent, department = signed_in_agent(agents_group, "alice", PASSWORD)
    customer = CustomerFactory(user__username="carol", user__first_name="Carol")
    customer_actor = actor_for_user(customer.user)
    agent_actor = actor_for_user(agent.user)
    request = drive(
        submit(
            customer,
            subject="Printer on the third floor jams on every page since the toner was changed",
            description="Since Monday the printer jams.\n\nI tried **turning it off** and on.",
        ),
        ("route", {"department": department}, SYSTEM),
        ("assign", {"assignee": agent}, SYSTEM),
        ("start", {}, agent_actor),
    )
    for n in range(4):
        services.do_post_message(request, actor=agent_actor, body=f"Step {n}: {BOT_ANSWER}")
        services.do_post_message(request, actor=customer_actor, body=f"Still jamming ({n}).")
    for n in range(3):
        submit(customer, subject=f"Other request {n}")
    macro = Macro.objects.create(
        name="Fixed, please confirm",
        department=department,
        transition="resolve",
        body="Hello {{ customer.first_name }}, {{ request.reference }} is fixed.",
    )
    MacroTranslation.objects.create(
        macro=macro,
        language="zh-hans",
        name="已解决，请确认",  # noqa: RUF001  Chinese punctuation
        body="{{ customer.first_name }}，您好：{{ request.reference }} 已解决。",  # noqa: RUF001  Chinese punctuation
    )
    return {"agent": agent, "request": request, "customer": customer, "macro": macro}


def sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))


def visible_without_scrolling(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900


def choose_the_macro(page, desk, language: str) -> str:
    """Pick the desk's macro in the reply box: its name in the agent's language, its text in
    the customer's, added below what the agent typed; Send says what runs after the reply.
    Returns the greeting the reply starts with."""
    picker = page.locator("#id_reply_macro")
    assert visible_without_scrolling(page, "#id_reply_macro")
    option = picker.locator(f"option[value='{desk['macro'].pk}']").inner_text()
    assert option.startswith("Fixed, please confirm" if language == "en" else "已解决，请确认")  # noqa: RUF001  Chinese punctuation
    picker.select_option(str(desk["macro"].pk))
    reply = page.input_value("#id_reply_body")
    greeting = "Hello Carol," if language == "en" else "Carol，您好："  # noqa: RUF001  Chinese punctuation
    assert reply.startswith("The technician replaced the roller.\n\n" + greeting)
    assert desk["request"].reference in reply
    send = page.locator("[data-action=reply]").get_attribute("value")
    assert send == "Send + Resolve" if language == "en" else "解决" in send
    assert visible_without_scrolling(page, "[data-action=reply]")
    return greeting


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_agents_day_at_1440x900(live_server, browser, desk, language, settings):
    settings.SERVICEDESK_ADMIN_TIME_ZONE = "Europe/Berlin"
    service_request = desk["request"]
    desk["customer"].language = language  # the macro replies in the customer's language
    desk["customer"].save(update_fields=["language"])
    context = browser.new_context(
        locale="en-US" if language == "en" else "zh-CN",
        viewport={"width": 1440, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(step: str) -> None:
        name = f"workspace-{language}-{step}"
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
        page.screenshot(path=str(ARTIFACTS / f"{name}-full.png"), full_page=True)

    try:
        sign_in(page, live_server.url)
        shot("1-home")
        open_queue_from_home(page, "mine", rows=1)
        # The list fits 1440 px: no horizontal scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1440
        shot("2-queue")

        page.get_by_role("link", name=service_request.reference).first.click()
        page.wait_for_selector("#reply-box")
        for selector in (
            "#request-header",
            "#id_reply_body",
            "[data-action=reply]",
            "[data-transition=resolve]",
        ):
            assert visible_without_scrolling(page, selector), selector
        # Destructive transitions come after the work and ask first.
        names = page.locator("#request-transitions [data-transition]")
        order = [names.nth(i).get_attribute("data-transition") for i in range(names.count())]
        assert order.index("cancel") > order.index("resolve")
        # Markdown rendered, the script dropped; times in the agent's zone.
        thread = page.locator("#conversation")
        assert thread.locator("strong", has_text="Try this first:").count() == 4
        assert thread.locator(".thread script").count() == 0
        assert "CET" in thread.locator("time").first.inner_text()
        shot("3-request")

        page.once("dialog", lambda dialog: dialog.dismiss())
        page.locator("[data-transition=cancel]").click()
        assert page.locator("#request-header [data-state]").get_attribute("data-state") == (
            "in_progress"
        )

        page.keyboard.press("r")  # the shortcut opens the reply box
        page.keyboard.type("The technician replaced the roller.")
        greeting = choose_the_macro(page, desk, language)
        shot("4-macro")

        page.keyboard.press("Control+Enter")  # sends it with the macro: reply, then resolve
        page.wait_for_selector(".messagelist .success")
        assert greeting in page.locator("#conversation").inner_text()
        state = page.locator("#request-header [data-state]").get_attribute("data-state")
        assert state == "resolved"
        shot("5-resolved")
    finally:
        context.close()


def test_a_stale_page_says_who_changed_the_request(live_server, browser, desk, settings):
    settings.SERVICEDESK_ADMIN_POLL_SECONDS = 1
    service_request = desk["request"]
    context = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/tickets/servicerequest/{service_request.pk}/change/")
        page.fill("#id_reply_body", "Half-typed answer")
        assert page.locator("#stale-notice").is_hidden()
        colleague = AgentFactory(user__username="bob", departments=[service_request.department])
        drive(service_request, ("reassign", {"assignee": colleague}, SYSTEM))
        services.do_post_message(
            service_request, actor=actor_for_user(colleague.user), body="I take this one."
        )
        page.wait_for_selector("#stale-notice:not([hidden])")
        notice = page.locator("#stale-notice").inner_text()
        assert "bob changed this request" in notice
        assert page.input_value("#id_reply_body") == "Half-typed answer"
        page.screenshot(path=str(ARTIFACTS / "workspace-en-stale-notice.png"))
    finally:
        context.close()
