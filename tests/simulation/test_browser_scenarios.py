"""Run scenarios' admin pages at 1440x900, in English and zh-hans: the validation, the interval
chart of the as-is model beside the scenario, the open requests by day (the log beside the
simulated test period, as-is beside the scenario), and a staffing search's plan; nothing wider than
the page. Screenshots under test-artifacts/browser/scenario-*.png."""

import pytest

from apps.simulation.models import Scenario, ScenarioStatus
from tests.simulation.test_cycles import desk  # noqa: F401  the fixture, by name
from tests.support.browser import ARTIFACTS, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _estimate(mean, spread):
    return {"mean": mean, "low": mean - spread, "high": mean + spread, "replications": 20}


VALIDATION = {
    "valid": True,
    "too_thin": [],
    "checks": [
        {
            "kpi": "ttr_median_h",
            "observed": 4.07,
            "simulated": _estimate(4.13, 0.6),
            "tolerance": 0.15,
            "relative": True,
            "passed": True,
            "error": 0.014,
        }
    ],
    "test": ["2026-02-20T00:00:00+00:00", "2026-03-20T00:00:00+00:00"],
    "backlog": {
        "observed": [30 + 4 * ((day * 7) % 5 - 2) for day in range(28)],
        "simulated": [_estimate(30 + (day % 7 < 5) * 3, 2.5) for day in range(28)],
    },
}
KPIS = [
    ("arrivals", _estimate(1500, 40), _estimate(1650, 42)),
    ("ttr_median_h", _estimate(4.1, 0.5), _estimate(3.2, 0.4)),
    ("sla_resolution_share", _estimate(0.91, 0.02), _estimate(0.96, 0.01)),
    ("backlog_mean", _estimate(31, 3), _estimate(24, 2)),
]


def _compared() -> Scenario:
    """A scenario run beside the as-is model, as apps/simulation/reports.py stores it."""
    return Scenario.objects.create(
        name="Two more agents in Finance",
        status=ScenarioStatus.DONE,
        validation=VALIDATION,
        results={
            "kpis": [{"kpi": k, "as_is": a, "scenario": s} for k, a, s in KPIS],
            "agent_hours": {"as_is": 1440, "scenario": 2160},
            "backlog": {
                "as_is": [_estimate(31 + (day % 7 < 5) * 3, 2) for day in range(30)],
                "scenario": [_estimate(24 + (day % 7 < 5) * 2, 1.5) for day in range(30)],
            },
        },
    )


def _staffing(first: int, second: int) -> Scenario:
    """A staffing search's result (reports.staffing_json's shape)."""
    sla = _estimate(0.93, 0.02)
    plan = {
        "band_hours": 4,
        "target_share": 0.9,
        "departments": [
            {
                "department": str(first),
                "as_is": {"agents": [3] * 6, "sla": sla},
                "optimised": {"agents": [1, 2, 3, 3, 2, 1], "sla": sla},
                "moved": {"sla": sla},
            },
            {
                "department": str(second),
                "as_is": {"agents": [2] * 6, "sla": _estimate(0.8, 0.03)},
                "optimised": {"agents": [2, 3, 3, 3, 2, 2], "sla": sla},
            },
        ],
        "moves": [
            {"agents": 1, "source": str(first), "target": str(second), "start": 8, "end": 12}
        ],
        "agent_hours": {"as_is": 900, "optimised": 840},
        "runs": 31,
        "budget": 60,
        "exhausted": False,
    }
    return Scenario.objects.create(
        name="Fewest agents",
        status=ScenarioStatus.DONE,
        validation=VALIDATION,
        results={"staffing": plan},
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_scenario_pages_draw_the_intervals_and_the_plan(live_server, browser, desk, language):  # noqa: F811  pytest passes the imported fixture by name
    compared = _compared()
    staffing = _staffing(desk.department.pk, desk.other_department.pk)
    context, page = signed_in_page(browser, live_server.url, desk.lead.user, language)
    try:
        page.goto(f"{live_server.url}/admin/simulation/scenario/{compared.pk}/change/")
        page.screenshot(path=str(ARTIFACTS / f"scenario-{language}.png"), full_page=True)
        # The validation's backlog chart first, then the interval chart.
        intervals = page.locator("svg.quality-chart").nth(1)
        assert intervals.locator("circle").count() == 2 * len(KPIS)
        # The backlog by day: the log beside the simulation (one band), as-is beside the
        # scenario (two bands).
        assert page.locator("svg.quality-chart polygon.band").count() == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= 1440
        page.goto(f"{live_server.url}/admin/simulation/scenario/{staffing.pk}/change/")
        page.screenshot(path=str(ARTIFACTS / f"scenario-staffing-{language}.png"), full_page=True)
        assert desk.other_department.name in page.locator(".field-report").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    finally:
        context.close()
