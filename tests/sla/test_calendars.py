"""Business calendars in the database: schedules, working-hours checks, holiday imports."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.sla.business_time import add_business_seconds
from apps.sla.calendars import default_calendar
from apps.sla.models import BusinessCalendar, Holiday, Weekday, WorkingHours

pytestmark = pytest.mark.django_db
T = dt.time


@pytest.fixture
def berlin():
    calendar = BusinessCalendar.objects.create(name="Berlin office", time_zone="Europe/Berlin")
    for weekday in range(Weekday.SATURDAY):
        WorkingHours.objects.create(calendar=calendar, weekday=weekday, start=T(9), end=T(12))
        WorkingHours.objects.create(calendar=calendar, weekday=weekday, start=T(13), end=T(17))
    Holiday.objects.create(calendar=calendar, date=dt.date(2026, 10, 2), name="Bridge day")
    return calendar


def import_holidays(*args):
    out = StringIO()
    call_command("import_holidays", *args, stdout=out)
    return out.getvalue()


def test_schedule_is_built_from_hours_and_holidays(berlin, django_assert_num_queries):
    calendar = BusinessCalendar.objects.get(pk=berlin.pk)
    with django_assert_num_queries(2):
        schedule = calendar.schedule()
        assert calendar.schedule() is schedule  # built once per instance
    assert schedule.tz == ZoneInfo("Europe/Berlin")
    assert schedule.weekly[Weekday.MONDAY] == ((T(9), T(12)), (T(13), T(17)))
    assert schedule.weekly[Weekday.SUNDAY] == ()
    assert schedule.holidays == {dt.date(2026, 10, 2)}
    # Thursday 1 October 16:00 + 2h: Friday is the bridge day, so Monday 5 October 10:00.
    due = add_business_seconds(schedule, dt.datetime(2026, 10, 1, 16, tzinfo=schedule.tz), 7200)
    assert due == dt.datetime(2026, 10, 5, 10, tzinfo=schedule.tz)


def test_schedule_merges_overlapping_rows_written_around_clean(berlin):
    WorkingHours.objects.create(calendar=berlin, weekday=0, start=T(11), end=T(14))
    calendar = BusinessCalendar.objects.get(pk=berlin.pk)
    assert calendar.schedule().weekly[0] == ((T(9), T(17)),)


def test_refresh_from_db_forgets_the_cached_schedule(berlin):
    first = berlin.schedule()
    berlin.time_zone = "UTC"
    berlin.save()
    berlin.refresh_from_db()
    assert berlin.schedule() is not first
    assert berlin.schedule().tz == ZoneInfo("UTC")


def test_24x7_calendar_and_the_default():
    calendar = default_calendar()
    assert calendar.always_open
    assert calendar.schedule().always_open
    assert default_calendar() == calendar
    assert BusinessCalendar.objects.filter(name="24x7").count() == 1


@pytest.mark.parametrize(
    ("start", "end", "error"),
    [
        (T(11), T(14), "overlaps"),  # the morning block
        (T(8), T(18), "overlaps"),  # both blocks
        (T(16), T(0), "overlaps"),  # a block to midnight over the afternoon
        (T(17), T(9), "end after it starts"),
        (T(10), T(10), "end after it starts"),
    ],
)
def test_working_hours_clean_refuses_bad_blocks(berlin, start, end, error):
    block = WorkingHours(calendar=berlin, weekday=Weekday.MONDAY, start=start, end=end)
    with pytest.raises(ValidationError, match=error):
        block.full_clean()


@pytest.mark.parametrize(
    ("weekday", "start", "end"),
    [
        (Weekday.MONDAY, T(12), T(13)),  # fills the lunch break exactly
        (Weekday.MONDAY, T(17), T(0)),  # until midnight
        (Weekday.SATURDAY, T(0), T(0)),  # all day
    ],
)
def test_working_hours_clean_accepts_touching_and_midnight_blocks(berlin, weekday, start, end):
    WorkingHours(calendar=berlin, weekday=weekday, start=start, end=end).full_clean()


def test_editing_a_block_does_not_overlap_itself(berlin):
    block = berlin.hours.get(weekday=Weekday.MONDAY, start=T(9))
    block.end = T(12, 30)
    block.full_clean()


def test_import_holidays_for_germany_2026(berlin):
    out = import_holidays("--calendar", "Berlin office", "--country", "DE", "--years", "2026")
    dates = set(berlin.holidays.values_list("date", flat=True))
    assert {dt.date(2026, 10, 3), dt.date(2026, 12, 25), dt.date(2026, 1, 1)} <= dates
    assert dt.date(2026, 10, 2) in dates  # the bridge day entered by hand is kept
    assert "Added 9 holidays" in out


def test_import_holidays_is_idempotent_and_updates_names(berlin):
    args = ["--calendar", "Berlin office", "--country", "DE", "--years", "2026", "2027"]
    import_holidays(*args)
    count = berlin.holidays.count()
    Holiday.objects.filter(calendar=berlin, date=dt.date(2026, 10, 3)).update(name="old name")
    out = import_holidays(*args)
    assert berlin.holidays.count() == count
    assert "Added 0 holidays" in out
    assert "1 renamed" in out
    assert berlin.holidays.get(date=dt.date(2026, 10, 3)).name != "old name"


def test_import_holidays_with_a_subdivision(berlin):
    import_holidays(
        "--calendar", "Berlin office", "--country", "DE", "--subdiv", "BY", "--years", "2026"
    )
    assert berlin.holidays.filter(date=dt.date(2026, 1, 6)).exists()  # Epiphany in Bavaria


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--country", "XX"], "Unknown country 'XX'"),
        (["--country", "DE", "--subdiv", "ZZ"], "no subdivision 'ZZ'"),
        (["--calendar", "Nowhere", "--country", "DE"], 'No business calendar named "Nowhere"'),
    ],
)
def test_import_holidays_errors_name_what_is_unknown(berlin, args, message):
    if "--calendar" not in args:
        args = ["--calendar", "Berlin office", *args]
    with pytest.raises(CommandError, match=message):
        import_holidays(*args, "--years", "2026")
    assert berlin.holidays.count() == 1


def _calendar_form(**fields):
    data = {"name": "Night desk", "time_zone": "Europe/Berlin", **fields}
    for prefix, count in [("hours", 2), ("holidays", 0)]:
        data |= {f"{prefix}-TOTAL_FORMS": count, f"{prefix}-INITIAL_FORMS": 0}
    return data


def test_admin_lists_calendars_and_refuses_overlapping_blocks_in_one_submit(admin_client, berlin):
    listed = admin_client.get(reverse("admin:sla_businesscalendar_changelist"))
    assert listed.status_code == 200
    assert b"Europe/Berlin" in listed.content
    assert admin_client.get(reverse("admin:sla_businesscalendar_add")).status_code == 200
    assert (
        admin_client.get(reverse("admin:sla_businesscalendar_change", args=[berlin.pk])).status_code
        == 200
    )

    blocks = {"hours-0-weekday": 0, "hours-0-start": "09:00", "hours-0-end": "17:00"}
    blocks |= {"hours-1-weekday": 0, "hours-1-start": "16:00", "hours-1-end": "00:00"}
    refused = admin_client.post(reverse("admin:sla_businesscalendar_add"), _calendar_form(**blocks))
    assert refused.status_code == 200
    assert b"Two blocks on Monday overlap" in refused.content
    blocks["hours-1-start"] = "17:00"
    saved = admin_client.post(reverse("admin:sla_businesscalendar_add"), _calendar_form(**blocks))
    assert saved.status_code == 302
    night = BusinessCalendar.objects.get(name="Night desk")
    assert night.hours.count() == 2
    assert night.schedule().weekly[0] == ((T(9), T(0)),)  # touching blocks merged
