"""A model fitted in summer and run over a winter period: the office opens by its calendar in
the run's period (an hour later in UTC once daylight saving time has ended), and the
customers' hours, read in their local day, move with it."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from apps.simulation.calendar import open_shares
from apps.simulation.calendars_in_force import in_force
from apps.simulation.customer_hours import _in_utc
from apps.sla.models import BusinessCalendar, SLAPolicy, WorkingHours
from tests.support.simulation import fixed, queue_model

pytestmark = pytest.mark.django_db
SUMMER = (datetime(2026, 8, 3, tzinfo=UTC), datetime(2026, 10, 5, tzinfo=UTC))
WINTER = (datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC))
MONDAY = 0


@pytest.fixture
def berlin_office():
    calendar = BusinessCalendar.objects.create(name="Berlin", time_zone="Europe/Berlin")
    for weekday in range(5):
        WorkingHours.objects.create(calendar=calendar, weekday=weekday, start=time(9), end=time(17))
    return SLAPolicy.objects.create(
        name="Office", order=100, calendar=calendar, resolution_minutes=480
    )


def test_the_office_opens_by_its_calendar_in_the_simulated_period(berlin_office):
    schedule = berlin_office.calendar.schedule()
    model = queue_model(per_hour=1, agents=1, service=fixed(60))
    model.open_hours = open_shares(schedule, *SUMMER)
    # Fitted in summer (UTC+2): open 07:00-15:00 UTC on a Monday.
    assert model.open_hours[MONDAY * 24 + 7] == 1.0 and model.open_hours[MONDAY * 24 + 15] == 0.0
    in_force(model, SUMMER, WINTER)
    # Run over November (UTC+1): 08:00-16:00 UTC.
    assert model.open_hours[MONDAY * 24 + 7] == 0.0
    assert model.open_hours[MONDAY * 24 + 8] == 1.0 and model.open_hours[MONDAY * 24 + 15] == 1.0
    assert model.open_hours[MONDAY * 24 + 16] == 0.0
    assert sum(model.open_hours) == pytest.approx(40.0)


def test_the_customers_hours_keep_their_local_day_across_the_change():
    """Customers ready only at 10:00 local: 08:00 UTC in summer, 09:00 UTC in winter."""
    berlin = ZoneInfo("Europe/Berlin")
    local = [1.0 if hour == 10 else 0.0 for hour in range(24)]
    summer, winter = _in_utc(local, berlin, SUMMER), _in_utc(local, berlin, WINTER)
    assert [h % 24 for h, share in enumerate(summer) if share] == [8] * 7
    assert [h % 24 for h, share in enumerate(winter) if share] == [9] * 7
