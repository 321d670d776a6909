"""The daily series on the known history of conftest.py."""

from datetime import UTC, date, datetime

import pytest

from apps.analytics.series import daily_series
from tests.support.analytics import PERIOD

pytestmark = pytest.mark.django_db


def test_daily_series(history):
    monday, tuesday = daily_series(**PERIOD, tz=UTC)
    assert monday["day"] == date(2026, 3, 2)
    assert (monday["created"], monday["out"], monday["backlog"]) == (1, 0, 1)
    assert (tuesday["created"], tuesday["out"], tuesday["backlog"]) == (4, 5, 1)
    assert monday["resolution"]["wall"]["count"] == 0
    assert tuesday["resolution"]["wall"]["median"] == 10800.0
    assert tuesday["resolution"]["business"]["median"] == 6600.0
    # A was answered on Monday; B in time and C late on Tuesday.
    assert monday["sla"] == {
        "first_response": {"total": 1, "met": 1, "breached": 0, "compliance": 1.0}
    }
    assert tuesday["sla"]["first_response"]["compliance"] == 0.5
    assert tuesday["sla"]["resolution"]["total"] == 3
    assert tuesday["csat"] == {"count": 2, "average": 4.5}


def test_backlog_carries_over_from_before_the_period(history):
    (wednesday,) = daily_series(start=PERIOD["end"], end=datetime(2026, 3, 5, tzinfo=UTC), tz=UTC)
    assert (wednesday["created"], wednesday["backlog"]) == (0, 1)
