"""Run scenarios' admin pages at 1440x900, in English and zh-hans: the validation, the interval
chart of the as-is model beside the scenario, the open requests by day (the log beside the
simulated test period, as-is beside the scenario), and a staffing search's plan; nothing wider than
the page. Screenshots under test-artifacts/browser/scenario-*.png."""

import pytest

from apps.simulation.models import Scenario, ScenarioStatus
from tests.simulation.test_cycles import desk  # noqa: F401  the fixture, by name
from tests.support.browser import ARTIFACTS, signed_in_page
from tests.support.scenario_results import (
    every_kpi_changes,
    every_kpi_results,
    every_kpi_validation,
)

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


# Parts of the engine's KPI keys, none of which a reader should see.
RAW_KEYS = ("refused|", "ola_", "passes|", "utilisation|", "consult|", "_share", "_h ")
# Labels of the side step's KPIs, the next-response share and utilisation, in each language
# (the Chinese ones with the translation's full-width punctuation).
LABELS = {
    "en": [
        "consults from {first} to {second}, declined or expired (share)",
        "consults from {first} to {second}, OLA acceptance met (share)",
        "consults from {first} to {second}, passes per request",
        "next-response SLA met (share)",
        "utilisation, {second}",
    ],
    "zh-hans": [
        "从 {first} 向 {second} 会商，被拒绝或已过期（比例）",  # noqa: RUF001  the translation's full-width punctuation
        "从 {first} 向 {second} 会商，OLA 接受达标（比例）",  # noqa: RUF001  the translation's full-width punctuation
        "下次响应 SLA 达成率",
        "利用率，{second}",  # noqa: RUF001  the translation's full-width punctuation
    ],
}
FIRST_RESPONSE = {"en": "first-response SLA met (share)", "zh-hans": "首次响应 SLA 达成率"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_scenario_page_names_and_formats_every_kind_of_kpi(
    live_server,
    browser,
    desk,  # noqa: F811  pytest passes the imported fixture by name
    language,
):
    """Results as reports.py stores them from a run of a model with every kind of KPI: each
    with its label, never its key; shares as percent (their intervals within 0 and 100 %), in
    the tables and the chart alike; each handoff KPI's chart label its own."""
    first, second = str(desk.department.pk), str(desk.other_department.pk)
    results = every_kpi_results(first, second)
    scenario = Scenario.objects.create(
        name="Next responses within the hour",
        changes=every_kpi_changes(first, second),
        status=ScenarioStatus.DONE,
        validation=every_kpi_validation(first, second),
        results=results,
    )
    thin = Scenario.objects.create(
        name="Too thin to tell",
        status=ScenarioStatus.INVALID,
        validation=every_kpi_validation(first, second, thin=True),
    )
    assert "sla_first_response_share" in thin.validation["too_thin"][0]
    names = {"first": desk.department.name, "second": desk.other_department.name}
    context, page = signed_in_page(browser, live_server.url, desk.lead.user, language)
    try:
        page.goto(f"{live_server.url}/admin/simulation/scenario/{scenario.pk}/change/")
        page.screenshot(path=str(ARTIFACTS / f"scenario-kpis-{language}.png"), full_page=True)
        report = page.locator(".field-report")
        text = report.inner_text()
        for raw in RAW_KEYS:
            assert raw not in text
        for label in LABELS[language]:
            assert label.format(**names) in text
        kpis = {row["kpi"]: row for row in results["kpis"]}
        refused = next(row for name, row in kpis.items() if name.startswith("refused|"))
        assert f"{refused['scenario']['mean'] * 100:.1f} %" in text
        # Bounds past what a KPI can take (a share above 1, a count below 0) are not shown.
        share, count = kpis["sla_next_response_share"]["scenario"], kpis["backlog_end"]["scenario"]
        assert share["high"] > 1 and count["low"] < 0
        assert f"{share['mean'] * 100:.1f} % [{share['low'] * 100:.1f} %, 100.0 %]" in text
        assert f"{count['mean']:.3g} [0, {count['high']:.3g}]" in text
        # The chart writes the same figures, and no two rows' visible names are the same.
        chart = report.locator("svg.quality-chart").nth(1)
        assert f"{refused['scenario']['mean'] * 100:.1f} %" in chart.inner_html()
        rows = chart.locator("text[text-anchor=end]")
        shown = [rows.nth(i).evaluate(VISIBLE) for i in range(rows.count())]
        assert len(shown) == len(results["kpis"]) == len(set(shown))
        if language == "en":
            assert "met (-4.3 pt)" in text
        assert page.evaluate("document.documentElement.scrollWidth") <= 1440
        # A period too thin to tell: the reason names the KPI by its label, in the language.
        page.goto(f"{live_server.url}/admin/simulation/scenario/{thin.pk}/change/")
        page.screenshot(path=str(ARTIFACTS / f"scenario-thin-{language}.png"), full_page=True)
        reason = page.locator(".field-report .too-thin").inner_text()
        assert "sla_first_response_share" not in reason
        assert FIRST_RESPONSE[language] in reason
    finally:
        context.close()


# A chart row's name as drawn: its text without the tooltip.
VISIBLE = (
    "e => [...e.childNodes].filter(n => n.nodeName !== 'title').map(n => n.textContent).join(' ')"
)
