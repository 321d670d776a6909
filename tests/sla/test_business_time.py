"""Business-time arithmetic: hand-checked cases, DST changes, and properties with hypothesis."""

import datetime as dt
import itertools
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.sla.business_time import (
    Schedule,
    add_business_seconds,
    business_seconds_between,
    is_open,
    open_intervals,
)

UTC = dt.UTC
T = dt.time
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600
OFFICE = ((T(9), T(17)),)
LUNCH = ((T(9), T(12)), (T(13), T(17)))
WHOLE_DAY = ((T(0), T(0)),)


def weekdays(blocks, weekend=()):
    return (blocks,) * 5 + (weekend,) * 2


def every_day(blocks):
    return (blocks,) * 7


def at(tz, *fields):
    return dt.datetime(*fields, tzinfo=tz)


def hours_between(schedule, start, end):
    return business_seconds_between(schedule, start, end) / HOUR


office = Schedule(tz=UTC, weekly=weekdays(OFFICE))


# --- Hand-checked cases (2026-01-02 is a Friday) -------------------------------------------


def test_friday_afternoon_plus_two_hours_is_monday_ten():
    berlin_office = Schedule(tz=BERLIN, weekly=weekdays(OFFICE))
    due = add_business_seconds(berlin_office, at(BERLIN, 2026, 1, 2, 16), 2 * HOUR)
    assert due == at(BERLIN, 2026, 1, 5, 10)
    assert due.tzinfo is UTC


def test_lunch_break_is_skipped_and_a_run_ending_at_lunch_stops_there():
    lunch = Schedule(tz=UTC, weekly=weekdays(LUNCH))
    assert add_business_seconds(lunch, at(UTC, 2026, 1, 5, 11), 2 * HOUR) == at(UTC, 2026, 1, 5, 14)
    assert add_business_seconds(lunch, at(UTC, 2026, 1, 5, 11), HOUR) == at(UTC, 2026, 1, 5, 12)
    assert hours_between(lunch, at(UTC, 2026, 1, 5, 8), at(UTC, 2026, 1, 5, 18)) == 7


def test_exact_block_end_is_returned_not_the_next_block_start():
    assert add_business_seconds(office, at(UTC, 2026, 1, 5, 9), 8 * HOUR) == at(UTC, 2026, 1, 5, 17)
    assert add_business_seconds(office, at(UTC, 2026, 1, 2, 9), 8 * HOUR) == at(UTC, 2026, 1, 2, 17)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (at(UTC, 2026, 1, 5, 8), at(UTC, 2026, 1, 5, 10)),  # before opening
        (at(UTC, 2026, 1, 5, 10, 30), at(UTC, 2026, 1, 5, 11, 30)),  # inside the block
        (at(UTC, 2026, 1, 5, 17), at(UTC, 2026, 1, 6, 10)),  # at closing: closed
        (at(UTC, 2026, 1, 5, 20), at(UTC, 2026, 1, 6, 10)),  # evening
        (at(UTC, 2026, 1, 3, 12), at(UTC, 2026, 1, 5, 10)),  # Saturday
    ],
)
def test_start_inside_or_outside_blocks(start, due):
    assert add_business_seconds(office, start, HOUR) == due


def test_holiday_run_from_christmas_to_new_year():
    days = ["2026-12-24", "2026-12-25", "2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31"]
    closed = frozenset(dt.date.fromisoformat(day) for day in [*days, "2027-01-01"])
    festive = Schedule(tz=BERLIN, weekly=weekdays(OFFICE), holidays=closed)
    # Wednesday 23 December 16:00: one hour that day, the next open day is Monday 4 January.
    due = add_business_seconds(festive, at(BERLIN, 2026, 12, 23, 16), 2 * HOUR)
    assert due == at(BERLIN, 2027, 1, 4, 10)
    assert hours_between(festive, at(BERLIN, 2026, 12, 23, 9), at(BERLIN, 2027, 1, 4, 17)) == 16


def test_start_on_a_holiday_waits_for_the_next_open_day():
    closed = Schedule(tz=UTC, weekly=weekdays(OFFICE), holidays={dt.date(2026, 1, 5)})
    assert add_business_seconds(closed, at(UTC, 2026, 1, 5, 10), HOUR) == at(UTC, 2026, 1, 6, 10)
    assert not is_open(closed, at(UTC, 2026, 1, 5, 10))


def test_blocks_ending_at_midnight():
    evenings = Schedule(tz=UTC, weekly=every_day(((T(18), T(0)),)))
    assert add_business_seconds(evenings, at(UTC, 2026, 1, 5, 23), 2 * HOUR) == at(
        UTC, 2026, 1, 6, 19
    )
    assert add_business_seconds(evenings, at(UTC, 2026, 1, 5, 18), 6 * HOUR) == at(
        UTC, 2026, 1, 6, 0
    )
    assert hours_between(evenings, at(UTC, 2026, 1, 5), at(UTC, 2026, 1, 7)) == 12
    # A night shift across midnight is two abutting blocks: no gap at 00:00.
    night = Schedule(tz=UTC, weekly=(((T(0), T(2)), (T(22), T(0))),) * 7)
    assert add_business_seconds(night, at(UTC, 2026, 1, 5, 23), 2 * HOUR) == at(UTC, 2026, 1, 6, 1)
    assert is_open(night, at(UTC, 2026, 1, 6, 0))
    assert not is_open(night, at(UTC, 2026, 1, 6, 2))


def test_zero_seconds_is_the_start_itself_open_or_closed():
    saturday = at(BERLIN, 2026, 1, 3, 12)
    assert add_business_seconds(office, saturday, 0) == saturday
    assert add_business_seconds(office, at(UTC, 2026, 1, 5, 10), 0) == at(UTC, 2026, 1, 5, 10)


def test_between_is_zero_for_an_empty_or_reversed_span():
    monday = at(UTC, 2026, 1, 5, 10)
    assert business_seconds_between(office, monday, monday) == 0
    assert business_seconds_between(office, monday, monday - dt.timedelta(hours=1)) == 0


def test_guards():
    with pytest.raises(ValueError, match="no working hours"):
        add_business_seconds(Schedule(tz=UTC, weekly=every_day(())), at(UTC, 2026, 1, 5), 1)
    with pytest.raises(ValueError, match="20 years"):
        add_business_seconds(office, at(UTC, 2026, 1, 5), 21 * 52 * 40 * HOUR)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_seconds(office, dt.datetime(2026, 1, 5), 1)
    with pytest.raises(ValueError, match=">= 0"):
        add_business_seconds(office, at(UTC, 2026, 1, 5), -1)
    with pytest.raises(ValueError, match="7 weekdays"):
        Schedule(tz=UTC, weekly=(OFFICE,) * 5)
    with pytest.raises(ValueError, match="end after it starts"):
        Schedule(tz=UTC, weekly=every_day(((T(17), T(9)),)))
    with pytest.raises(ValueError, match="not overlap"):
        Schedule(tz=UTC, weekly=every_day(((T(9), T(13)), (T(12), T(17)))))


def test_a_year_of_business_time_is_fast():
    schedule = Schedule(tz=BERLIN, weekly=weekdays(LUNCH))
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        total = hours_between(schedule, at(BERLIN, 2026, 1, 1), at(BERLIN, 2027, 1, 1))
        timings.append(time.perf_counter() - began)
    assert total == 261 * 7
    assert min(timings) < 0.05


# --- DST: Berlin springs forward on 2026-03-29 and falls back on 2026-10-25 (Sundays) -------


def sunday_only(blocks):
    return Schedule(tz=BERLIN, weekly=((),) * 6 + (blocks,))


@pytest.mark.parametrize(
    ("blocks", "spring_hours", "autumn_hours"),
    [
        (((T(1), T(4)),), 2, 4),  # a block across the change has its real length
        (((T(2), T(3)),), 0, 2),  # the gap never happens; the overlap happens twice
        (((T(2, 30), T(3, 30)),), 0.5, 2),  # opens when the clock jumps to 03:00
        (((T(0), T(2, 30)), (T(2, 30), T(0))), 23, 25),  # abutting at a DST edge
        (WHOLE_DAY, 23, 25),
    ],
)
def test_berlin_blocks_across_the_changes(blocks, spring_hours, autumn_hours):
    schedule = sunday_only(blocks)
    spring = hours_between(schedule, at(BERLIN, 2026, 3, 28), at(BERLIN, 2026, 3, 30))
    autumn = hours_between(schedule, at(BERLIN, 2026, 10, 24), at(BERLIN, 2026, 10, 26))
    assert (spring, autumn) == (spring_hours, autumn_hours)


def test_berlin_block_edges_in_the_gap_and_the_overlap():
    schedule = sunday_only(((T(2), T(3)),))
    intervals = list(open_intervals(schedule, at(UTC, 2026, 10, 24), at(UTC, 2026, 10, 26)))
    # 02:00 is read as its first occurrence (CEST), 03:00 exists once (CET).
    assert intervals == [(at(UTC, 2026, 10, 25, 0), at(UTC, 2026, 10, 25, 2))]
    assert not is_open(schedule, at(UTC, 2026, 3, 29, 1))
    gap = sunday_only(((T(1), T(4)),))
    # 01:30 CET plus an hour of business time is 03:30 CEST: the missing hour is not counted.
    assert add_business_seconds(gap, at(BERLIN, 2026, 3, 29, 1, 30), HOUR) == at(
        BERLIN, 2026, 3, 29, 3, 30
    )


def test_berlin_24x7_is_wall_time_across_both_changes():
    schedule = Schedule(tz=BERLIN, weekly=every_day(()), always_open=True)
    whole_days = Schedule(tz=BERLIN, weekly=every_day(WHOLE_DAY))
    for start, end, hours in [
        (at(BERLIN, 2026, 3, 28, 12), at(BERLIN, 2026, 3, 30, 12), 47),
        (at(BERLIN, 2026, 10, 24, 12), at(BERLIN, 2026, 10, 26, 12), 49),
    ]:
        assert hours_between(schedule, start, end) == hours
        assert hours_between(whole_days, start, end) == hours
        assert add_business_seconds(whole_days, start, hours * HOUR) == end


def test_new_york_changes():
    ny_office = Schedule(tz=NEW_YORK, weekly=weekdays(OFFICE))
    # Friday 6 March 16:00 EST + 2h: Monday 9 March 10:00 EDT, which is 14:00 UTC.
    assert add_business_seconds(ny_office, at(NEW_YORK, 2026, 3, 6, 16), 2 * HOUR) == at(
        UTC, 2026, 3, 9, 14
    )
    whole_days = Schedule(tz=NEW_YORK, weekly=every_day(WHOLE_DAY))
    assert hours_between(whole_days, at(NEW_YORK, 2026, 3, 8), at(NEW_YORK, 2026, 3, 9)) == 23
    assert hours_between(whole_days, at(NEW_YORK, 2026, 11, 1), at(NEW_YORK, 2026, 11, 2)) == 25
    # On 1 November 01:00-02:00 happens twice: from the first 01:00 (EDT) to 02:00 EST.
    early = Schedule(tz=NEW_YORK, weekly=((),) * 6 + (((T(1), T(2)),),))
    assert hours_between(early, at(UTC, 2026, 10, 31), at(UTC, 2026, 11, 2)) == 2


# --- Properties ---------------------------------------------------------------------------

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True)
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Shanghai", "Australia/Sydney", "UTC"]
# The instants of the 2026 clock changes of these zones, so that many examples meet one.
CHANGES = [
    at(UTC, *fields)
    for fields in [
        (2026, 3, 29, 1),
        (2026, 10, 25, 1),
        (2026, 3, 8, 7),
        (2026, 11, 1, 6),
        (2026, 4, 4, 16),
        (2026, 10, 3, 16),
    ]
]


def _blocks(quarters):
    # Sorted quarter-hours paired up: blocks may touch, 96 is midnight at the end of the day.
    edges = sorted(quarters)
    pairs = zip(edges[::2], edges[1::2], strict=False)

    def as_time(q):
        return T(q // 4 % 24, q % 4 * 15)

    return tuple((as_time(a), as_time(b)) for a, b in pairs if a < b)


day_blocks = st.lists(st.integers(0, 96), max_size=6).map(_blocks)
holiday_sets = st.frozensets(st.dates(dt.date(2025, 12, 1), dt.date(2027, 2, 1)), max_size=20)
schedules = st.builds(
    Schedule,
    tz=st.sampled_from(ZONES).map(ZoneInfo),
    weekly=st.tuples(*[day_blocks] * 7),
    holidays=holiday_sets,
).filter(lambda schedule: schedule.has_open_time)
instants = st.one_of(
    st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 31), timezones=st.just(UTC)),
    st.tuples(st.sampled_from(CHANGES), st.integers(-3 * 86400, 3 * 86400)).map(
        lambda pair: pair[0] + dt.timedelta(seconds=pair[1])
    ),
)
# Whole milliseconds, so that sums of durations are exact in whole microseconds.
durations = st.integers(0, 60 * HOUR * 1000).map(lambda ms: ms / 1000)


@PROPERTY
@given(schedules, instants, durations)
def test_between_undoes_add(schedule, start, seconds):
    due = add_business_seconds(schedule, start, seconds)
    assert due >= start
    assert business_seconds_between(schedule, start, due) == pytest.approx(seconds, abs=1e-6)
    if seconds:
        # The last microsecond counted was open time.
        assert is_open(schedule, due - dt.timedelta(microseconds=1))


@PROPERTY
@given(schedules, instants, durations, durations)
def test_add_is_monotonic_and_additive(schedule, start, first, second):
    shorter, longer = sorted([first, second])
    assert add_business_seconds(schedule, start, shorter) <= add_business_seconds(
        schedule, start, longer
    )
    # Equal as instants: add returns the earliest instant with that much business time
    # since the start (a block end, never the next block's start, and the start itself for
    # 0). For b > 0 the earliest instant with a + b lies after the one with a, so walking in
    # two steps finds the same instant; for b = 0 the second step returns its start.
    in_two_steps = add_business_seconds(
        schedule, add_business_seconds(schedule, start, first), second
    )
    assert in_two_steps == add_business_seconds(schedule, start, first + second)


@PROPERTY
@given(schedules, instants, st.integers(0, 30 * 86400), st.floats(0, 1))
def test_between_is_additive_over_a_split(schedule, start, span, share):
    end = start + dt.timedelta(seconds=span)
    middle = start + dt.timedelta(seconds=span * share)
    whole = business_seconds_between(schedule, start, end)
    parts = business_seconds_between(schedule, start, middle) + business_seconds_between(
        schedule, middle, end
    )
    assert whole == pytest.approx(parts, abs=1e-6)
    assert 0 <= whole <= span


@PROPERTY
@given(st.sampled_from(ZONES).map(ZoneInfo), instants, st.integers(0, 30 * 86400), durations)
def test_24x7_is_wall_time(tz, start, span, seconds):
    end = start + dt.timedelta(seconds=span)
    for schedule in [
        Schedule(tz=tz, weekly=every_day(()), always_open=True),
        Schedule(tz=tz, weekly=every_day(WHOLE_DAY)),  # the same thing, through the DST rules
    ]:
        assert business_seconds_between(schedule, start, end) == (end - start).total_seconds()
        assert add_business_seconds(schedule, start, seconds) == start + dt.timedelta(
            seconds=seconds
        )


@PROPERTY
@given(schedules, instants, durations, st.integers(0, 30 * 86400))
def test_holidays_only_ever_reduce_business_time(schedule, start, seconds, span):
    workdays = Schedule(tz=schedule.tz, weekly=schedule.weekly)
    end = start + dt.timedelta(seconds=span)
    assert business_seconds_between(schedule, start, end) <= business_seconds_between(
        workdays, start, end
    )
    assert add_business_seconds(schedule, start, seconds) >= add_business_seconds(
        workdays, start, seconds
    )


@PROPERTY
@given(schedules, instants, st.integers(0, 30 * 86400))
def test_open_intervals_are_sorted_disjoint_and_agree_with_is_open(schedule, start, span):
    end = start + dt.timedelta(seconds=span)
    intervals = list(open_intervals(schedule, start, end))
    for (_, closes), (next_opens, _) in itertools.pairwise(intervals):
        assert closes <= next_opens
    for opens, closes in intervals:
        assert start <= opens < closes <= end
        assert is_open(schedule, opens)
        assert is_open(schedule, closes - dt.timedelta(microseconds=1))


def _open_by_the_wall_clock(schedule, instant):
    local = instant.astimezone(schedule.tz)
    if local.date() in schedule.holidays:
        return False
    offset = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
    return any(
        _as_offset(start) <= offset < (_as_offset(end) or dt.timedelta(days=1))
        for start, end in schedule.weekly[local.weekday()]
    )


def _as_offset(moment):
    return dt.timedelta(hours=moment.hour, minutes=moment.minute)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(schedules, st.sampled_from(CHANGES), st.integers(-8, 8))
def test_agrees_with_reading_the_wall_clock_quarter_by_quarter(schedule, change, hours):
    # An independent oracle: an instant is open when its local weekday and time fall in a
    # block. Every edge (local quarter-hours, and the clock changes) falls on a UTC quarter-hour
    # in these zones, so business time is constant over each quarter from a quarter-aligned
    # start. Second passes through an autumn overlap are skipped: there the wall clock reads
    # each time twice, and the schedule's rule (a block edge is its first occurrence) decides.
    start = change + dt.timedelta(hours=hours * 6)
    quarter = dt.timedelta(minutes=15)
    open_quarters = 0
    for step in range(4 * 48):
        instant = start + step * quarter
        open_now = is_open(schedule, instant)
        open_quarters += open_now
        if instant.astimezone(schedule.tz).fold == 0:
            assert open_now == _open_by_the_wall_clock(schedule, instant), instant
    between = business_seconds_between(schedule, start, start + 4 * 48 * quarter)
    assert between == open_quarters * quarter.total_seconds()
