"""The staffing plan: arrivals per department and hour of the week from the desk's history, a
forecast for the coming weeks, the agents Erlang C says each hour needs for the first-response
target, and the agents actually scheduled (the department's calendar and its agents)."""

from __future__ import annotations

import math
import zoneinfo
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Avg
from django.utils import timezone

from apps.accounts.models import Department
from apps.eventlog.models import Event, EventKind
from apps.improvement.staffing.erlang import agents_needed
from apps.improvement.staffing.forecast import WEEK, forecast
from apps.sla.business_time import business_seconds_between
from apps.tickets.models import ServiceRequest

# NumPy is imported where it is used: the admin, the API and the worker import this module,
# and a process that never plans staffing should not hold it
# (tests/servicedesk/test_startup_imports.py).
if TYPE_CHECKING:
    import numpy as np

DEFAULT_HISTORY_WEEKS = 8
DEFAULT_TARGET_MINUTES = 60
DEFAULT_TARGET_SHARE = 0.8
# Without measured work, an hour per request.
DEFAULT_HANDLING_SECONDS = 3600.0


def staffing_plan(
    *,
    weeks: int = 1,
    history_weeks: int = DEFAULT_HISTORY_WEEKS,
    target_minutes: float = DEFAULT_TARGET_MINUTES,
    target_share: float = DEFAULT_TARGET_SHARE,
    department_id: int | None = None,
    now: datetime | None = None,
) -> dict:
    """Per department: the forecast method and its back-test errors, the measured handling
    time, and per hour of the week (Monday 00:00 first, in the department's calendar time
    zone) the mean historical arrivals, the forecast, the agents needed and scheduled."""
    now = now or timezone.now()
    departments = Department.objects.select_related("calendar").prefetch_related("agents")
    if department_id:
        departments = departments.filter(pk=department_id)
    rows = []
    for department in departments.order_by("name"):
        rows.append(
            _department_plan(
                department,
                now,
                weeks=weeks,
                history_weeks=history_weeks,
                target_seconds=target_minutes * 60,
                share=target_share,
            )
        )
    return {
        "generated_at": now.isoformat(),
        "weeks": weeks,
        "history_weeks": history_weeks,
        "target_minutes": target_minutes,
        "target_share": target_share,
        "departments": rows,
    }


def _department_plan(department, now, *, weeks, history_weeks, target_seconds, share) -> dict:
    import numpy as np

    tz = _time_zone(department)
    local_now = now.astimezone(tz)
    week_start = (local_now - timedelta(days=local_now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = week_start - timedelta(weeks=history_weeks)
    history = hourly_arrivals(department.pk, start=start, weeks=history_weeks, tz=tz)
    predicted = forecast(history, weeks)
    handling = handling_seconds(department.pk, since=start)
    first_week = np.array(predicted["values"][:WEEK])
    scheduled = scheduled_agents(department, week_start + timedelta(weeks=1))
    agents = list(department.agents.all())
    # An agent works up to `capacity` requests at once: each is that many Erlang servers.
    per_agent = sum(max(a.capacity, 1) for a in agents) / len(agents) if agents else 1.0
    hours = []
    for hour in range(WEEK):
        slots = agents_needed(
            arrivals_per_hour=float(first_week[hour]),
            handling_seconds=handling,
            target_seconds=target_seconds,
            target_share=share,
        )
        need = math.ceil(slots / per_agent)
        hours.append(
            {
                "hour_of_week": hour,
                "history_mean": round(float(history[hour::WEEK].mean()), 3),
                "forecast": round(float(first_week[hour]), 3),
                "slots_needed": slots,
                "agents_needed": need,
                "agents_scheduled": scheduled[hour],
                "gap": scheduled[hour] - need,
            }
        )
    return {
        "department": department.pk,
        "name": department.name,
        "time_zone": str(tz),
        "method": predicted["method"],
        "backtest_mae": predicted["errors"],
        "handling_seconds": round(handling, 1),
        "capacity_per_agent": round(per_agent, 2),
        "arrivals_history": int(history.sum()),
        "forecast_weeks": [predicted["values"][w * WEEK : (w + 1) * WEEK] for w in range(weeks)],
        "hours": hours,
        "short_hours": sum(1 for h in hours if h["gap"] < 0),
    }


def _time_zone(department) -> zoneinfo.ZoneInfo:
    name = department.calendar.time_zone if department.calendar_id else settings.TIME_ZONE
    return zoneinfo.ZoneInfo(name)


def hourly_arrivals(department_id: int, *, start: datetime, weeks: int, tz) -> np.ndarray:
    """Requests submitted per hour from `start` (a local Monday 00:00) for `weeks` weeks, by
    their current department."""
    import numpy as np

    counts = np.zeros(weeks * WEEK)
    created = ServiceRequest.objects.filter(
        department_id=department_id,
        created_at__gte=start,
        created_at__lt=start + timedelta(weeks=weeks),
    ).values_list("created_at", flat=True)
    for at in created.iterator(chunk_size=5000):
        local = at.astimezone(tz)
        index = int((local.replace(tzinfo=None) - start.replace(tzinfo=None)).total_seconds())
        counts[min(max(index // 3600, 0), len(counts) - 1)] += 1
    return counts


def handling_seconds(department_id: int, *, since: datetime) -> float:
    """The mean wall time requests spent in progress in the department (each stint)."""
    mean = Event.objects.filter(
        kind=EventKind.TRANSITION,
        from_state="in_progress",
        department_id=department_id,
        at__gte=since,
        wall_seconds__isnull=False,
    ).aggregate(mean=Avg("wall_seconds"))["mean"]
    return float(mean) if mean else DEFAULT_HANDLING_SECONDS


def scheduled_agents(department, week_start: datetime) -> list[int]:
    """Per hour of the week starting at `week_start`: the department's agents while its
    calendar is open at least half of that hour (no calendar: around the clock)."""
    slots = len(department.agents.all())
    schedule = department.calendar.schedule() if department.calendar_id else None
    out = []
    for hour in range(WEEK):
        begin = week_start + timedelta(hours=hour)
        if schedule is None:
            out.append(slots)
            continue
        open_seconds = business_seconds_between(schedule, begin, begin + timedelta(hours=1))
        out.append(slots if open_seconds >= 1800 else 0)
    return out


def do_forecast_staffing(*, weeks: int = 2, now: datetime | None = None):
    """Compute the staffing plan for every department and keep it for the dashboard and API.

    Writes: one `StaffingForecast` row."""
    from apps.improvement.models import StaffingForecast

    now = now or timezone.now()
    return StaffingForecast.objects.create(
        created_at=now, weeks=weeks, payload=staffing_plan(weeks=weeks, now=now)
    )
