"""A checked PDCA cycle's admin page at 1440x900, in English and zh-hans: the check table fits
the page; the quality dashboard lists the open cycle. Screenshots under
test-artifacts/browser/cycle-*.png."""

import re

import pytest

from tests.simulation.test_cycles import _run, desk  # noqa: F401  the fixture, by name
from tests.support.browser import ARTIFACTS, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_cycle_page_shows_the_check_table(live_server, browser, desk, clock, language):  # noqa: F811  pytest passes the imported fixture by name
    cycle = _run(desk, [8, 9, 10, 11, 12, 10, 9, 8], [1, 2, 1.5, 2.5, 1, 2, 3, 1.5])
    context, page = signed_in_page(browser, live_server.url, desk.lead.user, language)
    try:
        page.goto(f"{live_server.url}/admin/simulation/improvementcycle/{cycle.pk}/change/")
        table = page.locator("#cycle-check")
        assert table.locator("tbody tr").count() == 7
        assert "Mann-Whitney U" in table.inner_text()
        heading = page.locator("h1, h2").first.inner_text()
        assert ("PDCA" in heading) if language == "en" else re.search(r"[\u4e00-\u9fff]", heading)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1440
        page.screenshot(path=str(ARTIFACTS / f"cycle-{language}-check.png"), full_page=True)
        page.goto(f"{live_server.url}/admin/quality/qualitydashboard/")
        assert "Better paper" in page.locator("#open-cycles").inner_text()
        page.locator("#open-cycles").screenshot(
            path=str(ARTIFACTS / f"cycle-{language}-dashboard.png")
        )
    finally:
        context.close()
