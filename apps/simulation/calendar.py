"""Office hours for the engine: the share of each hour of the week (UTC, Monday 00:00 first) in
which the desk works, read from the SLA calendar over the fitted period; a department with a
calendar of its own works its own hours.

Agents work only in open time: a step of hands-on work lasts its business seconds spread over the
open part of each hour, and the resolution clock counts open time only. An empty list means the
desk is always open (business time equals wall time)."""

from datetime import UTC, datetime, timedelta

from apps.accounts.models import Department
from apps.simulation.model import HOURS_PER_WEEK, ProcessModel
from apps.sla.business_time import Schedule, open_intervals

HOUR = 3600.0
# A Monday 00:00 UTC: instants of the log are placed in the week from it.
A_MONDAY = datetime(2024, 1, 1, tzinfo=UTC)


def open_shares(schedule: Schedule, start: datetime, end: datetime) -> list[float]:
    """Per hour of the week, the mean open share of that hour over its occurrences in
    [start, end): 1.0 fully open, 0.5 open half of the time (a block starting at :30, or a
    block that daylight saving time moves by an hour on half the weeks)."""
    if schedule.always_open:
        return []
    opened = [0.0] * HOURS_PER_WEEK
    occurrences = [0] * HOURS_PER_WEEK
    hour = start.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        occurrences[hour.weekday() * 24 + hour.hour] += 1
        hour += timedelta(hours=1)
    for opens, closes in open_intervals(schedule, start, end):
        at = opens
        while at < closes:
            hour_end = at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            until = min(hour_end, closes)
            opened[at.weekday() * 24 + at.hour] += (until - at).total_seconds() / HOUR
            at = until
    return [o / n if n else 0.0 for o, n in zip(opened, occurrences, strict=True)]


def share_at(shares: list[float], at: float) -> float:
    """The open share of the hour holding `at` (seconds from the run's Monday 00:00)."""
    return shares[int(at // HOUR) % HOURS_PER_WEEK] if shares else 1.0


def open_seconds(shares: list[float], start: float, end: float) -> float:
    """Open seconds in [start, end) of the run."""
    if not shares:
        return max(end - start, 0.0)
    total, at = 0.0, start
    while at < end:
        until = min(end, (at // HOUR + 1) * HOUR)
        total += (until - at) * share_at(shares, at)
        at = until
    return total


def open_seconds_between(shares: list[float], start: datetime, end: datetime) -> float:
    """Open seconds between two instants of the log, in the hours of the week `shares` gives:
    the measure the engine spreads a step over, so a step fitted with it lasts as long in the
    run as it did in the log."""
    return open_seconds(
        shares, (start - A_MONDAY).total_seconds(), (end - A_MONDAY).total_seconds()
    )


def after_open_seconds(shares: list[float], start: float, seconds: float) -> float:
    """The instant when `seconds` of open time have passed since `start`."""
    if not shares or not any(shares):
        return start + seconds
    at, left = start, seconds
    while left > 0:
        hour_end = (at // HOUR + 1) * HOUR
        available = (hour_end - at) * share_at(shares, at)
        if available >= left:
            return at + left / share_at(shares, at)
        left -= available
        at = hour_end
    return at


def agent_seconds(model: ProcessModel, department: str, start: float, end: float) -> float:
    """The open seconds the department's agents are on duty in [start, end) of the run: its
    agents in each hour (shifts where the model has them) times that hour's open time."""
    total, at = 0.0, start
    while at < end:
        until = min(end, (at // HOUR + 1) * HOUR)
        agents = model.agents_at(department, int(at // HOUR))
        if agents:
            total += agents * open_seconds(model.hours_of(department), at, until)
        at = until
    return total


def department_hours(start: datetime, end: datetime) -> dict[str, list[float]]:
    """Per department with a calendar of its own, its open shares over [start, end): the
    hours its agents work and its handoffs' OLA clocks count (without one, the desk's office
    hours and around the clock)."""
    rows = Department.objects.filter(calendar__isnull=False).prefetch_related(
        "calendar__hours", "calendar__holidays"
    )
    return {
        str(d.pk): open_shares(d.calendar.schedule(), start, end)
        for d in rows
        if d.calendar is not None
    }
