"""The working week as the log shows it: the hours of the week (in the desk's zone) in which
events happen at a working rate, learnt from the training prefixes. A case's time passes in
these hours: work started at 16:00 on a Friday ends on Monday. The encoding measures time in
them too (elapsed working hours, the wall hours until k working hours have passed), for the
desk's log and for an imported one alike (an imported log has no business calendar)."""

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

WEEK = 168
# An hour of the week is a working hour when it holds at least this share of the mean count of
# the busiest 40 hours (a 40-hour week's working hours).
SHARE = 0.3
BUSIEST = 40
# An epoch that is a Monday 00:00 (local hours are counted from it).
MONDAY = datetime(2001, 1, 1)


@dataclass
class Week:
    """`working[h]`: whether hour h of the week (Monday 00:00 = 0) is a working hour."""

    working: tuple[bool, ...]
    zone: str = "UTC"
    _cumulative: list[float] = field(default_factory=list, repr=False)

    @classmethod
    def learn(cls, times: Iterable[datetime], *, zone: str = "UTC") -> "Week":
        counts = [0] * WEEK
        tz = ZoneInfo(zone)
        for at in times:
            local = at.astimezone(tz)
            counts[local.weekday() * 24 + local.hour] += 1
        busiest = sorted(counts, reverse=True)[:BUSIEST]
        bar = SHARE * sum(busiest) / len(busiest)
        working = tuple(count >= bar and count > 0 for count in counts)
        if not any(working):
            working = (True,) * WEEK
        return cls(working=working, zone=zone)

    @property
    def per_week(self) -> float:
        return float(sum(self.working))

    def _cum(self) -> list[float]:
        # Working hours before each hour of the week (WEEK + 1 entries); not pickled stale.
        if len(self._cumulative) != WEEK + 1:
            total, self._cumulative = 0.0, [0.0]
            for flag in self.working:
                total += flag
                self._cumulative.append(total)
        return self._cumulative

    def hours(self, at: datetime) -> float:
        """Local wall hours since the epoch Monday."""
        local = at.astimezone(ZoneInfo(self.zone)).replace(tzinfo=None)
        return (local - MONDAY).total_seconds() / 3600

    def working_at(self, hours: float) -> float:
        """Working hours from the epoch Monday up to `hours` (from `hours`)."""
        weeks, within = divmod(hours, WEEK)
        whole = int(within)
        cum = self._cum()
        return weeks * self.per_week + cum[whole] + self.working[whole] * (within - whole)

    def between(self, start: datetime, end: datetime) -> float:
        """Working hours from `start` to `end`."""
        return self.working_at(self.hours(end)) - self.working_at(self.hours(start))

    def wall_hours_for(self, at: datetime, working_hours: float) -> float:
        """The wall hours from `at` until `working_hours` working hours have passed."""
        start = self.hours(at)
        target = self.working_at(start) + working_hours
        weeks, left = divmod(target, self.per_week)
        if left <= 0:
            # Exactly a whole number of weeks: the end of the last working hour before it.
            weeks, left = weeks - 1, self.per_week
        cum = self._cum()
        # The hour of the week in which the `left`-th working hour ends.
        hour = bisect_left(cum, left) - 1
        return max(weeks * WEEK + hour + (left - cum[hour]) - start, 0.0)
