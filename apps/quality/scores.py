"""The KPI scorecard of each department and period, from the metrics report and the indicators
configured in the admin."""

from dataclasses import asdict
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from apps.accounts.models import Department
from apps.analytics.metrics import compute_metrics
from apps.quality.models import KPIIndicator
from apps.quality.scorecard import IndicatorSpec, weighted_score
from apps.quality.weights import weights_on

PERIODS = ("week", "month")


def _hours(stats: dict) -> float | None:
    return None if stats["mean"] is None else round(stats["mean"] / 3600.0, 3)


def actuals(row: dict) -> dict[str, float | None]:
    """The scorecard's indicators from one row of `compute_metrics`."""
    sla = row["sla"].values()
    total = sum(t["total"] for t in sla)
    return {
        "sla_compliance": round(sum(t["met"] for t in sla) / total, 4) if total else None,
        "resolution_hours": _hours(row["resolution"]["wall"]),
        "first_response_hours": _hours(row["first_response"]["wall"]),
        "csat": row["csat"]["average"],
        "reopen_rate": row["rates"]["reopen"]["rate"],
        "escalation_rate": row["rates"]["escalation"]["rate"],
        "resolved": row["volume"]["resolved"],
    }


def indicator_specs(day: date) -> dict[int | None, list[IndicatorSpec]]:
    """Active indicators per department id, with the weights in force on `day`; key None holds
    the general ones. A department's own indicator replaces the general one of the same metric."""
    weights = weights_on(day)
    general: dict[str, IndicatorSpec] = {}
    own: dict[int, dict[str, IndicatorSpec]] = {}
    for ind in KPIIndicator.objects.filter(active=True):
        weight = weights.get(ind.pk, ind.weight)
        spec = IndicatorSpec(metric=ind.metric, target=ind.target, weight=weight)
        if ind.department_id is None:
            general[ind.metric] = spec
        else:
            own.setdefault(ind.department_id, {})[ind.metric] = spec
    specs: dict[int | None, list[IndicatorSpec]] = {None: list(general.values())}
    for department_id, mine in own.items():
        specs[department_id] = list({**general, **mine}.values())
    return specs


def period_bounds(period: str, count: int, *, today: date | None = None) -> list[tuple[date, date]]:
    """The last `count` weeks (Monday on) or calendar months, oldest first, ending with the
    current one: (first day, first day of the next)."""
    today = today or timezone.localdate()
    bounds = []
    if period == "week":
        first = today - timedelta(days=today.weekday())
        for i in range(count - 1, -1, -1):
            start = first - timedelta(weeks=i)
            bounds.append((start, start + timedelta(weeks=1)))
        return bounds
    year, month = today.year, today.month
    for i in range(count - 1, -1, -1):
        y, m = divmod(month - 1 - i, 12)
        start = date(year + y, m + 1, 1)
        y2, m2 = divmod(m + 1, 12)
        bounds.append((start, date(start.year + y2, m2 + 1, 1)))
    return bounds


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def department_actuals(first: date, after: date, *, department_id: int | None = None) -> dict:
    """The scorecard's indicators over [first, after) for one department or (None) the desk."""
    filters = {"department": department_id} if department_id else None
    rows = compute_metrics(start=_aware(first), end=_aware(after), filters=filters)
    return actuals(rows[0]) if rows else {}


def department_scores(first: date, after: date, *, department_id: int | None = None) -> list:
    """[{department, name, score, rows}] for every department (or one) over [first, after),
    weighted as on `first` (`weights.weights_on`)."""
    specs = indicator_specs(first)
    filters = {"department": department_id} if department_id else None
    rows = {
        r["group"]: r
        for r in compute_metrics(
            start=_aware(first), end=_aware(after), filters=filters, group_by="department"
        )
    }
    departments = Department.objects.all()
    if department_id:
        departments = departments.filter(pk=department_id)
    out = []
    for department in departments:
        row = rows.get(department.pk)
        measured = actuals(row) if row else {}
        score = weighted_score(specs.get(department.pk, specs[None]), measured)
        out.append(
            {
                "department": department.pk,
                "name": department.name,
                "score": score.score,
                "indicators": [asdict(r) for r in score.rows],
            }
        )
    return out


def scorecard(*, period: str = "month", count: int = 6, department_id: int | None = None) -> dict:
    """The scorecard of the current period per department, and its trend over `count` periods."""
    bounds = period_bounds(period, count)
    trend = []
    for first, after in bounds:
        scores = department_scores(first, after, department_id=department_id)
        trend.append({"start": first, "end": after, "departments": scores})
    return {
        "period": period,
        "current": trend[-1]["departments"] if trend else [],
        "trend": [
            {
                "start": t["start"],
                "end": t["end"],
                "scores": {d["department"]: d["score"] for d in t["departments"]},
            }
            for t in trend
        ],
    }
