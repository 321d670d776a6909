"""The customer's hours: when in the day the customers answer a request waiting for them.

A request in `pending_customer` leaves it when the customer replies, and customers reply in
their own day: a question asked at 20:00 is answered the next morning, not at 03:00. The time
in the state drawn as wall time whatever the hour would bring replies at night, which then
wait for the agents' morning. So the time there is read and drawn in the customer's time, as
agents' work is in office hours (calendar.py): each hour of the day counts by how readily
customers reply in it, the replies in that hour of the log over the request-hours spent
waiting in it, as a share of the readiest hour. Read in this measure and drawn back in it, a
stay keeps its length where it began in the log, and a reply due in the night comes in the
morning, as often as the log's mornings show (a time change: the hours of the day scale the
clock, the fitted distribution stays one). The hours are those of the desk's local day (the
office calendar's zone): customers keep their clocks when daylight saving time moves UTC
under them, so the readiness read in one period is laid on the UTC hours of another through
the local time each of its hours has (`over`)."""

from datetime import UTC, datetime, timedelta, tzinfo

from apps.simulation.model import ENDS, HOURS_PER_WEEK, RESOLVED, WAITING
from apps.simulation.period_log import period_transitions

# Below this many replies in the period the hours are not read: the stay is wall time.
MIN_REPLIES = 50
HOUR = timedelta(hours=1)


def read_customer_hours(
    start: datetime,
    end: datetime,
    tz: tzinfo = UTC,
    over: tuple[datetime, datetime] | None = None,
) -> list[float]:
    """Per hour of the week (Monday 00:00 UTC first), how readily customers reply in it, 1.0
    in the hour of their local day (`tz`) they reply most readily, read over [start, end) and
    laid on the UTC hours of `over` (default: the same period); empty where the period holds
    fewer than MIN_REPLIES replies."""
    waiting, replies = [0.0] * 24, [0] * 24
    rows = period_transitions(start, end, "to_state", "at", "wall_seconds", from_state=WAITING)
    for to_state, at, wall in rows.iterator(chunk_size=5000):
        if wall is None or to_state == WAITING:
            continue
        _spread(waiting, (at - timedelta(seconds=wall)).astimezone(tz), at.astimezone(tz))
        if to_state not in (*ENDS, RESOLVED):
            replies[at.astimezone(tz).hour] += 1
    if sum(replies) < MIN_REPLIES:
        return []
    rates = [r / w if w else 0.0 for r, w in zip(replies, waiting, strict=True)]
    top = max(rates)
    if not top:
        return []
    return _in_utc([rate / top for rate in rates], tz, over or (start, end))


def _in_utc(local: list[float], tz: tzinfo, period: tuple[datetime, datetime]) -> list[float]:
    """Per UTC hour of the week, the mean over its occurrences in `period` of the readiness of
    the local hour of the day it falls in."""
    start, end = period
    total, seen = [0.0] * HOURS_PER_WEEK, [0] * HOURS_PER_WEEK
    at = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    while at < end:
        how = at.weekday() * 24 + at.hour
        total[how] += local[at.astimezone(tz).hour]
        seen[how] += 1
        at += HOUR
    return [
        t / n if n else local[how % 24] for how, (t, n) in enumerate(zip(total, seen, strict=True))
    ]


def _spread(hours: list[float], start: datetime, end: datetime) -> None:
    """Adds the hours of [start, end) to each hour of the day they fall in."""
    days, part = divmod(end - start, timedelta(days=1))
    for hour in range(24):
        hours[hour] += days
    at = start
    while at < start + part:
        until = min(start + part, at.replace(minute=0, second=0, microsecond=0) + HOUR)
        hours[at.hour] += (until - at) / HOUR
        at = until
