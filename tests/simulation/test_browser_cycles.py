"""A checked PDCA cycle's admin page at 1440x900: the check table fits the page; the quality
dashboard lists the open cycle. Screenshots under test-artifacts/browser/cycle-*.png."""

import re

import pytest

from tests.simulation.test_cycles import _run, desk  # noqa: F401  the fixture, by name
from tests.support.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PASSWORD = "cycles-pass-2026"


def test_the_cycle_page_shows_the_check_table(live_server, browser, desk, clock):  # noqa: F811  pytest passes the imported fixture by name
    cycle = _run(desk, [8, 9, 10, 11, 12, 10, 9, 8], [1, 2, 1.5, 2.5, 1, 2, 3, 1.5])
    user = desk.lead.user
    user.is_staff = True
    user.set_password(PASSWORD)
    user.save()
    context = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("[type=submit]")
        page.wait_for_url(re.compile(r".*/admin/$"))
        page.goto(f"{live_server.url}/admin/simulation/improvementcycle/{cycle.pk}/change/")
        table = page.locator("#cycle-check")
        assert table.locator("tbody tr").count() == 7
        assert "Mann-Whitney U" in table.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1440
        page.screenshot(path=str(ARTIFACTS / "cycle-en-check.png"), full_page=True)
        page.goto(f"{live_server.url}/admin/quality/qualitydashboard/")
        assert "Better paper" in page.locator("#open-cycles").inner_text()
        page.locator("#open-cycles").screenshot(path=str(ARTIFACTS / "cycle-en-dashboard.png"))
    finally:
        context.close()
