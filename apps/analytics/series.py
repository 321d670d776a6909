"""Daily series for trends and control charts: volume and backlog, resolution time, SLA
compliance and CSAT per day, each a SQL aggregate grouped by the local date."""

from datetime import date, datetime, timedelta, tzinfo

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from apps.analytics import scope
from apps.analytics.metrics import ENTERS_OPEN, LEAVES_OPEN, grouped, sla_clocks_in
from apps.analytics.sql import Seconds, stats, summary
from apps.eventlog.models import Event, EventKind
from apps.sla.models import ClockKind, ClockState, SLAClock
from apps.tickets.models import Feedback, ServiceRequest


def daily_series(
    *,
    start: datetime,
    end: datetime,
    filters: dict | None = None,
    tz: tzinfo | None = None,
) -> list[dict]:
    """One dict per local day (in `tz`, default the current time zone) from start's day up to
    the day before `end`:

    {"day", "created", "out", "backlog" (open at the end of the day), "resolution": {"wall",
    "business"} (stats of the requests resolved that day), "sla": {target: {"total", "met",
    "breached", "compliance"}}, "csat": {"count", "average"}}.
    """
    tz = tz or timezone.get_current_timezone()
    days = _days(start, end, tz)
    series = {day: _empty(day) for day in days}
    _flows(series, start, end, filters, tz)
    _resolution(series, start, end, filters, tz)
    _sla(series, start, end, filters, tz)
    _csat(series, start, end, filters, tz)
    return [series[day] for day in days]


def _days(start: datetime, end: datetime, tz) -> list[date]:
    first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz)
    return [first + timedelta(days=n) for n in range((last.date() - first).days + 1)]


def _empty(day: date) -> dict:
    empty = stats("", {})
    return {
        "day": day,
        "created": 0,
        "out": 0,
        "backlog": 0,
        "resolution": {"wall": empty, "business": empty},
        "sla": {},
        "csat": {"count": 0, "average": None},
    }


def _flows(series, start, end, filters, tz) -> None:
    """Created and closed per day, and the backlog carried from before `start` onwards."""
    requests = ServiceRequest.objects.filter(
        scope.request_q(filters), created_at__gte=start, created_at__lt=end
    ).annotate(day=TruncDate("created_at", tzinfo=tz))
    for _, row in grouped(requests, None, extra=("day",), n=Count("pk")):
        if row["day"] in series:
            series[row["day"]]["created"] = row["n"]
    events = Event.objects.filter(
        scope.request_q(filters, prefix="request__"), kind=EventKind.TRANSITION, at__lt=end
    )
    before = events.filter(at__lt=start).aggregate(
        entered=Count("pk", filter=ENTERS_OPEN), left=Count("pk", filter=LEAVES_OPEN)
    )
    changes = {
        row["day"]: row
        for _, row in grouped(
            events.filter(at__gte=start).annotate(day=TruncDate("at", tzinfo=tz)),
            None,
            extra=("day",),
            entered=Count("pk", filter=ENTERS_OPEN),
            left=Count("pk", filter=LEAVES_OPEN),
        )
    }
    backlog = before["entered"] - before["left"]
    for day, point in series.items():
        change = changes.get(day, {"entered": 0, "left": 0})
        backlog += change["entered"] - change["left"]
        point["out"], point["backlog"] = change["left"], backlog


def _resolution(series, start, end, filters, tz) -> None:
    requests = ServiceRequest.objects.filter(
        scope.request_q(filters), resolved_at__gte=start, resolved_at__lt=end
    ).annotate(day=TruncDate("resolved_at", tzinfo=tz))
    for _, row in grouped(
        requests,
        None,
        extra=("day",),
        **summary("wall", Seconds(F("resolved_at"), F("created_at"))),
    ):
        if row["day"] in series:
            series[row["day"]]["resolution"]["wall"] = stats("wall", row)
    clocks = SLAClock.objects.filter(
        scope.request_q(filters, prefix="request__"),
        request__resolved_at__gte=start,
        request__resolved_at__lt=end,
        kind=ClockKind.RESOLUTION,
        state=ClockState.STOPPED,
    ).annotate(day=TruncDate("request__resolved_at", tzinfo=tz))
    for _, row in grouped(
        clocks, None, extra=("day",), **summary("business", F("elapsed_seconds"))
    ):
        if row["day"] in series:
            series[row["day"]]["resolution"]["business"] = stats("business", row)


def _sla(series, start, end, filters, tz) -> None:
    """Per target, the clocks counted on the day they stopped (or breached, if still open)."""
    clocks = sla_clocks_in(start, end, filters).annotate(
        day=TruncDate(Coalesce("stopped_at", "breached_at"), tzinfo=tz)
    )
    for _, row in grouped(
        clocks,
        None,
        extra=("day", "kind"),
        total=Count("pk"),
        breached=Count("pk", filter=Q(breached_at__isnull=False)),
    ):
        if row["day"] in series:
            met = row["total"] - row["breached"]
            series[row["day"]]["sla"][row["kind"]] = {
                "total": row["total"],
                "met": met,
                "breached": row["breached"],
                "compliance": round(met / row["total"], 4),
            }


def _csat(series, start, end, filters, tz) -> None:
    feedback = Feedback.objects.filter(
        scope.request_q(filters, prefix="request__"), created_at__gte=start, created_at__lt=end
    ).annotate(day=TruncDate("created_at", tzinfo=tz))
    for _, row in grouped(feedback, None, extra=("day",), n=Count("pk"), average=Avg("rating")):
        if row["day"] in series:
            series[row["day"]]["csat"] = {
                "count": row["n"],
                "average": round(float(row["average"]), 3),
            }
