"""Business-time arithmetic on a weekly schedule with holidays, correct across DST changes."""

import datetime as dt
import math
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

UTC = dt.UTC
MIDNIGHT = dt.time(0)
ONE_DAY = dt.timedelta(days=1)
# A deadline further away than this is a misconfigured calendar, not a real target; without a
# cap a schedule whose only open time never comes would be walked day by day for ever.
SEARCH_YEARS = 20

Block = tuple[dt.time, dt.time]
Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Schedule:
    """When a calendar is open, in its own time zone.

    `weekly` has 7 entries (Monday first), each a sorted tuple of non-overlapping local
    `(start, end)` blocks; `end == 00:00` means midnight at the end of the day, so
    `(00:00, 00:00)` is the whole day. Blocks may abut (`09-12`, `12-17`). `holidays` are local
    dates closed all day. `always_open` (24x7) makes business time equal wall time and ignores
    the weekly hours and holidays.

    DST: a local time is turned into an instant by reading it in `tz`. An ambiguous time (the
    autumn overlap) means its first occurrence, when the clock first shows it; a time in the
    spring gap, which the clock never shows, means the instant the clock jumps. Both rules are
    monotonic in local time, so blocks keep their real length (01:00-04:00 is 2 hours on a
    spring-forward day and 4 on a fall-back day), never turn negative and never overlap.
    """

    tz: zoneinfo.ZoneInfo
    weekly: tuple[tuple[Block, ...], ...]
    holidays: frozenset[dt.date] = frozenset()
    always_open: bool = False

    def __post_init__(self) -> None:
        # Normalised so that callers may pass lists and sets and the schedule stays hashable.
        weekly = tuple(tuple((start, end) for start, end in blocks) for blocks in self.weekly)
        if len(weekly) != 7:
            raise ValueError(f"A schedule needs 7 weekdays (Monday first), got {len(weekly)}.")
        for weekday, blocks in enumerate(weekly):
            _check_blocks(weekday, blocks)
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "holidays", frozenset(self.holidays))

    @property
    def has_open_time(self) -> bool:
        return self.always_open or any(self.weekly)


def merge_blocks(blocks: Iterable[Block]) -> tuple[Block, ...]:
    """Sort local blocks and merge those that overlap or touch, for data entered by hand."""
    merged: list[list] = []
    for start, end in sorted(blocks, key=lambda block: _offset(block[0])):
        if merged and _offset(start) <= _end_offset(merged[-1][1]):
            if _end_offset(end) > _end_offset(merged[-1][1]):
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def blocks_overlap(first: Block, second: Block) -> bool:
    """Whether two local blocks of one weekday share time (blocks that only touch do not)."""
    return _offset(first[0]) < _end_offset(second[1]) and _offset(second[0]) < _end_offset(first[1])


def add_business_seconds(schedule: Schedule, start: dt.datetime, seconds: float) -> dt.datetime:
    """The earliest instant (in UTC) by which `seconds` of business time have passed since `start`.

    0 seconds gives `start` itself (in UTC), open or not: no business time passes in no time.
    When the time runs out exactly at the end of a block, that block end is returned, not the
    next block's start. Durations are counted in whole microseconds.

    Raises ValueError for a naive `start`, a negative or non-finite `seconds`, a schedule without
    any open time, or a deadline more than SEARCH_YEARS years ahead.
    """
    start = _utc(start, "start")
    remaining = _duration(seconds)
    if not remaining:
        return start
    if schedule.always_open:
        return start + remaining
    if not schedule.has_open_time:
        raise ValueError("The calendar has no working hours at all: no deadline can be computed.")
    # The day before the start's local date: only a zone whose clock falls back across
    # midnight could have an earlier day's block still open, and clipping costs nothing.
    day = _local_date(schedule, start) - ONE_DAY
    horizon = day + dt.timedelta(days=366 * SEARCH_YEARS)
    while day <= horizon:
        for opens, closes in _day_intervals(schedule, day):
            if closes <= start:
                continue
            opens = max(opens, start)
            if remaining <= closes - opens:
                return opens + remaining
            remaining -= closes - opens
        day += ONE_DAY
    raise ValueError(
        f"{seconds} business seconds from {start.isoformat()} end more than {SEARCH_YEARS} "
        "years ahead: check the calendar's working hours and holidays."
    )


def business_seconds_between(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> float:
    """Business seconds in `[start, end)`; 0 when `end <= start`."""
    start, end = _utc(start, "start"), _utc(end, "end")
    if end <= start:
        return 0.0
    if schedule.always_open:
        return (end - start).total_seconds()
    # Summed as timedeltas (whole microseconds) so that long spans gather no float error.
    total = dt.timedelta(0)
    for opens, closes in open_intervals(schedule, start, end):
        total += closes - opens
    return total.total_seconds()


def is_open(schedule: Schedule, at: dt.datetime) -> bool:
    """Whether `at` falls in business time (blocks are half-open: a block's end is closed)."""
    at = _utc(at, "at")
    if schedule.always_open:
        return True
    return any(True for _ in open_intervals(schedule, at, at + dt.timedelta(microseconds=1)))


def open_intervals(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> Iterator[Interval]:
    """The open intervals (UTC, half-open, sorted, disjoint) within `[start, end)`, clipped."""
    start, end = _utc(start, "start"), _utc(end, "end")
    if end <= start:
        return
    if schedule.always_open:
        yield start, end
        return
    # One day of margin on each side, for zones whose clocks change across midnight.
    day = _local_date(schedule, start) - ONE_DAY
    last = _local_date(schedule, end) + ONE_DAY
    while day <= last:
        for opens, closes in _day_intervals(schedule, day):
            opens, closes = max(opens, start), min(closes, end)
            if closes > opens:
                yield opens, closes
        day += ONE_DAY


def _day_intervals(schedule: Schedule, day: dt.date) -> list[Interval]:
    if day in schedule.holidays:
        return []
    intervals = []
    for start, end in schedule.weekly[day.weekday()]:
        opens = _local_to_utc(schedule.tz, day, _offset(start))
        closes = _local_to_utc(schedule.tz, day, _end_offset(end))
        # A block wholly inside a spring gap maps to the jump instant twice: it never opens.
        if closes > opens:
            intervals.append((opens, closes))
    return intervals


def _local_to_utc(tz: dt.tzinfo, day: dt.date, offset: dt.timedelta) -> dt.datetime:
    """The instant the clock in `tz` shows `day` + `offset` (24h being the next midnight)."""
    naive = dt.datetime.combine(day, MIDNIGHT) + offset
    # fold=0 reads an ambiguous time as its first occurrence.
    instant = naive.replace(tzinfo=tz).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == naive:
        return instant
    return _gap_end(tz, naive)


def _gap_end(tz: dt.tzinfo, naive: dt.datetime) -> dt.datetime:
    """The instant the clock jumps over `naive`, a local time inside a spring-forward gap."""
    # Read with the offset after the change (fold=1) a gap time is an instant before the jump;
    # with the offset before it (fold=0), one after. tzdata changes fall on whole seconds, so
    # bisecting whole POSIX seconds finds the jump exactly, in a dozen steps for a 1-hour gap.
    low = math.floor(naive.replace(tzinfo=tz, fold=1).timestamp())
    high = math.ceil(naive.replace(tzinfo=tz, fold=0).timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if dt.datetime.fromtimestamp(middle, tz).replace(tzinfo=None) > naive:
            high = middle
        else:
            low = middle
    return dt.datetime.fromtimestamp(high, UTC)


def _check_blocks(weekday: int, blocks: tuple[Block, ...]) -> None:
    previous_end = dt.timedelta(0)
    for start, end in blocks:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"Weekday {weekday}: block times are local, without a time zone.")
        if end != MIDNIGHT and end <= start:
            raise ValueError(
                f"Weekday {weekday}: block {start}-{end} must end after it starts "
                "(00:00 as the end means midnight)."
            )
        if _offset(start) < previous_end:
            raise ValueError(
                f"Weekday {weekday}: blocks must be sorted and not overlap ({start}-{end})."
            )
        previous_end = _end_offset(end)


def _offset(moment: dt.time) -> dt.timedelta:
    return dt.timedelta(
        hours=moment.hour,
        minutes=moment.minute,
        seconds=moment.second,
        microseconds=moment.microsecond,
    )


def _end_offset(moment: dt.time) -> dt.timedelta:
    return ONE_DAY if moment == MIDNIGHT else _offset(moment)


def _local_date(schedule: Schedule, instant: dt.datetime) -> dt.date:
    return instant.astimezone(schedule.tz).date()


def _utc(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}.")
    return value.astimezone(UTC)


def _duration(seconds: float) -> dt.timedelta:
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"Business seconds must be a finite number >= 0, got {seconds!r}.")
    try:
        return dt.timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"{seconds} business seconds is beyond any calendar.") from None
