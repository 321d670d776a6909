"""What the control charts and the dashboard draw, read from the analytics' daily series."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from apps.analytics.series import daily_series


@dataclass(frozen=True)
class Span:
    """Whole days from `first` to `last` (inclusive), in the current time zone, and optionally
    one department (the request's current one, as in the metrics)."""

    first: date
    last: date
    department_id: int | None = None

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    def filters(self) -> dict:
        return {"department": self.department_id}


def day_rows(span: Span) -> list[dict]:
    """One row per day of the span (see `apps.analytics.series.daily_series`)."""
    return daily_series(start=span.start, end=span.end, filters=span.filters())


def resolution_hours(rows: list[dict]) -> list[tuple[date, float, int]]:
    """(day, mean wall hours from submission to resolution, requests) for days with any."""
    out = []
    for row in rows:
        wall = row["resolution"]["wall"]
        if wall["count"] and wall["mean"] is not None:
            out.append((row["day"], wall["mean"] / 3600.0, wall["count"]))
    return out


def sla_compliance(rows: list[dict]) -> list[tuple[date, int, int]]:
    """(day, SLA clocks counted over every target, clocks met) for days with any."""
    out = []
    for row in rows:
        total = sum(t["total"] for t in row["sla"].values())
        if total:
            out.append((row["day"], total, sum(t["met"] for t in row["sla"].values())))
    return out


def volume(rows: list[dict]) -> list[dict]:
    """{day, created, out, backlog} for every day."""
    return [{k: row[k] for k in ("day", "created", "out", "backlog")} for row in rows]


def csat_by_week(rows: list[dict]) -> list[dict]:
    """{week (its Monday), count, average} of the ratings of each week with any."""
    weeks: dict[date, list[float]] = {}
    for row in rows:
        csat = row["csat"]
        if csat["count"]:
            week = row["day"] - timedelta(days=row["day"].weekday())
            total = weeks.setdefault(week, [0, 0.0])
            total[0] += csat["count"]
            total[1] += csat["count"] * csat["average"]
    return [
        {"week": week, "count": n, "average": round(s / n, 3)}
        for week, (n, s) in sorted(weeks.items())
    ]
