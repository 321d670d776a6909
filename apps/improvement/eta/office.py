"""The desk's office hours as fast arithmetic for the ETA model: business time between instants
and the wall time a given amount of business time takes, for many instants at once.

The agents work in office hours, so the time a request still needs is business time, and the
wall time it takes depends on when it is asked: three hours of work started at 16:00 on a Friday
end on Monday. The model learns the remaining time in business hours and turns its quantiles
into wall time with the calendar (a monotone map, so a quantile stays a quantile), and reads
the calendar's state at the prefix's time (open, hours until it opens, wall hours that 1, 4 or
16 business hours take).

`apps.sla.business_time` walks the calendar day by day for each question; here the open
intervals over the whole span are listed once and every question is a binary search (numpy),
so a million prefixes take a second, not hours."""

import datetime as dt
from dataclasses import dataclass, field

from apps.sla.business_time import Schedule, open_intervals

# How far the intervals reach past the last instant asked about: the wall time of the largest
# business time the model may answer (a year of office hours is about 2,000 hours).
HORIZON = dt.timedelta(days=3 * 365)
MARGIN = dt.timedelta(days=7)
# Wall hours these amounts of business time take from the prefix's time (encoding columns).
SPANS = (1, 4, 16)
HOUR = 3600.0


@dataclass
class OfficeHours:
    """A schedule and, once asked, its open intervals between `start` and `end` (UTC epoch
    seconds, with the business seconds before each interval). Plain data: pickles with the
    model (the intervals are rebuilt when a question falls outside them)."""

    schedule: Schedule
    _span: tuple | None = field(default=None, repr=False)

    def __getstate__(self):
        return {"schedule": self.schedule, "_span": None}

    def _intervals(self, low: float, high: float):
        import numpy as np

        span = self._span
        if span is not None and span[0] <= low and high <= span[1]:
            return span[2]
        first = dt.datetime.fromtimestamp(low, dt.UTC) - MARGIN
        last = dt.datetime.fromtimestamp(high, dt.UTC) + HORIZON
        found = [
            (a.timestamp(), b.timestamp()) for a, b in open_intervals(self.schedule, first, last)
        ]
        if not found:
            raise ValueError("The office calendar has no open time.")
        opens = np.array([a for a, _b in found])
        closes = np.array([b for _a, b in found])
        before = np.concatenate([[0.0], np.cumsum(closes - opens)[:-1]])
        self._span = (
            first.timestamp(),
            last.timestamp() - HORIZON.total_seconds(),
            (opens, closes, before),
        )
        return self._span[2]

    def business_until(self, moments):
        """Business seconds from the span's start to each instant (epoch seconds): differences
        of two are the business time between them."""
        import numpy as np

        moments = np.asarray(moments, dtype=float)
        opens, closes, before = self._intervals(float(moments.min()), float(moments.max()))
        index = np.searchsorted(opens, moments, side="right") - 1
        inside = np.clip(index, 0, None)
        used = before[inside] + np.clip(
            moments - opens[inside], 0.0, closes[inside] - opens[inside]
        )
        return np.where(index < 0, 0.0, used)

    def wall_after(self, moments, business):
        """The instants (epoch seconds) at which `business` seconds of office time have passed
        since each of `moments` (at once for 0: `moments` itself)."""
        import numpy as np

        moments = np.asarray(moments, dtype=float)
        business = np.maximum(np.asarray(business, dtype=float), 0.0)
        opens, closes, before = self._intervals(float(moments.min()), float(moments.max()))
        target = self.business_until(moments) + business
        after = before + (closes - opens)
        index = np.clip(np.searchsorted(after, target, side="left"), 0, len(opens) - 1)
        reached = opens[index] + (target - before[index])
        return np.where(business > 0, np.maximum(reached, moments), moments)

    def columns(self, moments, starts):
        """The encoding's calendar columns for prefixes seen at `moments` of cases started at
        `starts` (epoch seconds): open now (0/1), wall hours until it opens (0 when open),
        wall hours that each of SPANS business hours take, business hours since the start."""
        import numpy as np

        moments = np.asarray(moments, dtype=float)
        starts = np.asarray(starts, dtype=float)
        now = self.business_until(moments)
        opening = self.wall_after(moments, np.full(len(moments), 1.0)) - 1.0
        out = [
            ((opening - moments) < 0.5).astype(float),
            (opening - moments) / HOUR,
            *(
                (self.wall_after(moments, np.full(len(moments), h * HOUR)) - moments) / HOUR
                for h in SPANS
            ),
            (now - self.business_until(starts)) / HOUR,
        ]
        return np.column_stack(out)


COLUMNS = (
    "office_open",
    "hours_until_office_opens",
    *(f"wall_hours_for_{h}_office_hours" for h in SPANS),
    "office_hours_elapsed",
)
