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
clock, the fitted distribution stays one)."""

from datetime import datetime, timedelta

from apps.simulation.model import ENDS, HOURS_PER_WEEK, RESOLVED, WAITING
from apps.simulation.period_log import period_transitions

# Below this many replies in the period the hours are not read: the stay is wall time.
MIN_REPLIES = 50
HOUR = timedelta(hours=1)


def read_customer_hours(start: datetime, end: datetime) -> list[float]:
    """Per hour of the week (Monday 00:00 UTC first), how readily customers reply in it, 1.0
    in the hour of the day they reply most readily (the same for every day of the week);
    empty where the period holds fewer than MIN_REPLIES replies."""
    waiting, replies = [0.0] * 24, [0] * 24
    rows = period_transitions(start, end, "to_state", "at", "wall_seconds", from_state=WAITING)
    for to_state, at, wall in rows.iterator(chunk_size=5000):
        if wall is None or to_state == WAITING:
            continue
        _spread(waiting, at - timedelta(seconds=wall), at)
        if to_state not in (*ENDS, RESOLVED):
            replies[at.hour] += 1
    if sum(replies) < MIN_REPLIES:
        return []
    rates = [r / w if w else 0.0 for r, w in zip(replies, waiting, strict=True)]
    top = max(rates)
    if not top:
        return []
    return [rates[hour % 24] / top for hour in range(HOURS_PER_WEEK)]


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
