"""Playwright driving Debian's chromium against a live server; screenshots under test-artifacts/."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import need_service

CHROMIUM = os.environ.get("SERVICEDESK_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
# Playwright's sync API runs an event loop in this thread; the test's own database calls
# (fixtures, assertions) are plain synchronous code all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium; never a browser Playwright downloads."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    need_service(sync_playwright is not None, "The playwright package (requirements-dev.txt)")
    need_service(
        Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None,
        f"Debian's chromium at {CHROMIUM} (apt-get install chromium)",
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Saves a full-page screenshot as test-artifacts/browser/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def signed_in_agent(agents_group, username: str, password: str):
    """A staff agent of a new "IT support" department who signs in with `password`."""
    from tests.factories import AgentFactory, DepartmentFactory
    from tests.support.admin import make_staff

    department = DepartmentFactory(name="IT support", code="it")
    agent = make_staff(
        AgentFactory(user__username=username, departments=[department]), agents_group
    )
    agent.user.set_password(password)
    agent.user.save()
    return agent, department


def open_queue_from_home(page, queue: str, rows: int) -> None:
    """On the admin home: the queue's count says `rows`; its link opens a list of that many."""
    import re

    assert page.locator(f"#home-queues [data-queue={queue}] .count").inner_text() == str(rows)
    page.locator(f"#home-queues [data-queue={queue}] a").click()
    page.wait_for_url(re.compile(rf".*queue={queue}\b"))
    assert page.locator("#result_list tbody tr").count() == rows


def signed_in_page(browser, base_url: str, user, language: str = "en"):
    """A new 1440x900 context in `language` ("en" or "zh-hans") with `user` made staff and
    signed in to the admin; returns (context, page): close the context when done."""
    import re

    password = "browser-pass-2026"
    user.is_staff = True
    user.set_password(password)
    user.save()
    context = browser.new_context(
        locale="en-US" if language == "en" else "zh-CN", viewport={"width": 1440, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return context, page
