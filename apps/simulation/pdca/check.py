"""The check of a PDCA cycle: every indicator of the scorecard over the days after the change
against as many days before it, each with a statistical test, the target and the prediction.

The figures are the scorecard's own (`quality.scores.actuals` of the metrics report), and the
per-request times are the problem verification's (`improvement.problems.verification`), so a
cycle and the scorecard never disagree on what an indicator is."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from apps.analytics.metrics import compute_metrics
from apps.improvement.models import Indicator
from apps.improvement.problems.verification import MIN_CASES, durations, problem_scope
from apps.quality.scorecard import INDICATORS
from apps.quality.scores import actuals

ALPHA = 0.05
WHOLE_DESK: dict = {"categories": [], "department": None}
# How each indicator is compared: times and ratings by rank (Mann-Whitney U), shares of
# requests with Fisher's exact test, the count of resolutions as two Poisson rates.
TESTS = {
    "sla_compliance": "fisher_exact",
    "resolution_hours": "mann_whitney_u",
    "first_response_hours": "mann_whitney_u",
    "csat": "mann_whitney_u",
    "reopen_rate": "fisher_exact",
    "escalation_rate": "fisher_exact",
    "resolved": "poisson_rates",
}
DURATIONS = {
    "resolution_hours": Indicator.RESOLUTION_TIME,
    "first_response_hours": Indicator.FIRST_RESPONSE_TIME,
}
# The scenario's KPI that predicts a scorecard indicator (apps/simulation/kpis.py).
SCENARIO_KPIS = {"resolution_hours": "ttr_mean_h", "sla_compliance": "sla_resolution_share"}


def windows(changed_on: date, days: int) -> dict[str, tuple[datetime, datetime]]:
    """The `days` before the change day and the `days` from it on, local midnight to midnight."""
    pivot = _aware(changed_on)
    return {
        "before": (_aware(changed_on - timedelta(days=days)), pivot),
        "after": (pivot, _aware(changed_on + timedelta(days=days))),
    }


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def check_cycle(cycle, *, alpha: float = ALPHA) -> dict:
    """{windows, scope, alpha, kpis: [{kpi, before, after, difference, test, p_value, verdict,
    predicted, vs_prediction}], target: {...}} for `cycle` (its change day must be set)."""
    scope = problem_scope(cycle.problem) if cycle.problem else WHOLE_DESK
    spans = windows(cycle.changed_on, cycle.baseline_days)
    measured = {name: _measure(scope, *span) for name, span in spans.items()}
    kpis = []
    for kpi in INDICATORS:
        before, after = measured["before"][kpi], measured["after"][kpi]
        row = {
            "kpi": kpi,
            "before": before["value"],
            "after": after["value"],
            "difference": _difference(before["value"], after["value"]),
            **_test(TESTS[kpi], before["sample"], after["sample"]),
        }
        row["verdict"] = _verdict(kpi, row, alpha)
        predicted = cycle.prediction.get(kpi)
        row["predicted"] = predicted
        row["vs_prediction"] = _against(kpi, after["value"], predicted)
        kpis.append(row)
    target = next(row for row in kpis if row["kpi"] == cycle.indicator)
    return {
        "windows": {k: [v[0].isoformat(), v[1].isoformat()] for k, v in spans.items()},
        "scope": {k: v for k, v in scope.items() if v},
        "alpha": alpha,
        "kpis": kpis,
        "target": {
            "kpi": cycle.indicator,
            "value": cycle.target_value,
            "direction": cycle.direction,
            "after": target["after"],
            "reached": _reached(target["after"], cycle.target_value, cycle.direction),
            "significant": target["verdict"] == "better",
            "vs_prediction": target["vs_prediction"],
        },
    }


def _measure(scope: dict, start: datetime, end: datetime) -> dict[str, dict]:
    """Per indicator, its value over [start, end) and the sample its test needs."""
    filters = {"department": scope["department"], "category": scope["categories"]}
    rows = compute_metrics(start=start, end=end, filters=filters)
    row = rows[0]
    values = actuals(row)
    sla = row["sla"].values()
    rates = row["rates"]
    ratings = row["csat"]["distribution"]
    samples = {
        "sla_compliance": (sum(t["met"] for t in sla), sum(t["total"] for t in sla)),
        "reopen_rate": (rates["reopen"]["count"], rates["reopen"]["of"]),
        "escalation_rate": (rates["escalation"]["count"], rates["escalation"]["of"]),
        "csat": [int(rating) for rating, n in ratings.items() for _i in range(n)],
        "resolved": row["volume"]["resolved"],
        **{
            kpi: durations(indicator, scope, start, end)["values"]
            for kpi, indicator in DURATIONS.items()
        },
    }
    return {kpi: {"value": values.get(kpi), "sample": samples[kpi]} for kpi in INDICATORS}


def _difference(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    return round(after - before, 4)


def _test(test: str, before, after) -> dict:
    """Two-sided: did the indicator change at all? The verdict reads the direction."""
    # Imported here, as in the problem verification: SciPy loads where a check runs.
    from scipy.stats import binomtest, fisher_exact, mannwhitneyu

    if test == "fisher_exact":
        (k0, n0), (k1, n1) = before, after
        if min(n0, n1) < MIN_CASES:
            return _too_few(test)
        p_value = fisher_exact([[k0, n0 - k0], [k1, n1 - k1]]).pvalue
    elif test == "mann_whitney_u":
        if min(len(before), len(after)) < MIN_CASES:
            return _too_few(test)
        p_value = mannwhitneyu(before, after, alternative="two-sided").pvalue
    else:
        # Equal periods: given the total, the after period's count is binomial(total, 1/2)
        # when the rate did not change.
        if before + after < MIN_CASES:
            return _too_few(test)
        p_value = binomtest(after, before + after, 0.5).pvalue
    return {"test": test, "p_value": round(float(p_value), 6)}


def _too_few(test: str) -> dict:
    return {"test": test, "p_value": None}


def _verdict(kpi: str, row: dict, alpha: float) -> str:
    """better / worse (significant at `alpha`, in the indicator's good direction or not),
    unchanged (not significant), too_few (a period without enough cases)."""
    if row["p_value"] is None or row["difference"] is None:
        return "too_few"
    if row["p_value"] >= alpha or row["difference"] == 0:
        return "unchanged"
    higher_is_better = INDICATORS[kpi][2]
    return "better" if (row["difference"] > 0) == higher_is_better else "worse"


def _reached(after: float | None, target: float, direction: str) -> bool:
    if after is None:
        return False
    return after >= target if direction == "at_least" else after <= target


def _against(kpi: str, after: float | None, predicted: dict | None) -> str | None:
    """within (the scenario's interval), better or worse than predicted, or as_predicted;
    None without a prediction or a value."""
    if after is None or not predicted:
        return None
    low, high = predicted.get("low"), predicted.get("high")
    if low is not None and high is not None and low <= after <= high:
        return "within"
    value = predicted["value"]
    if after == value:
        return "as_predicted"
    return "better" if (after > value) == INDICATORS[kpi][2] else "worse"


def scenario_prediction(scenario) -> dict[str, dict]:
    """The scenario's estimates of the indicators it predicts: {kpi: {value, low, high}}."""
    estimates = {row["kpi"]: row["scenario"] for row in scenario.results.get("kpis", [])}
    found = {}
    for kpi, name in SCENARIO_KPIS.items():
        estimate = estimates.get(name)
        if estimate:
            found[kpi] = {
                "value": estimate["mean"],
                "low": estimate["low"],
                "high": estimate["high"],
            }
    return found
