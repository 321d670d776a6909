"""The metrics report on a hand-built history with known answers (run on PostgreSQL, and on
SQLite by test_sqlite.py)."""

import pytest

from apps.analytics.metrics import compute_metrics
from apps.core.errors import InvalidData
from tests.support.analytics import PERIOD

pytestmark = pytest.mark.django_db


def only_row(**kwargs):
    (row,) = compute_metrics(**PERIOD, **kwargs)
    return row


def test_volumes_and_backlog(history):
    volume = only_row()["volume"]
    assert volume == {
        "created": 5,
        "resolved": 4,  # A, B, C twice
        "cancelled": 1,
        "merged": 0,
        "out": 5,
        "reopened": 1,
        "backlog": 1,  # D
    }


def test_first_response_wall_and_business(history):
    first = only_row()["first_response"]
    assert first["wall"] == {"count": 1, "mean": 1800.0, "median": 1800.0, "p90": 1800.0}
    assert first["business"]["median"] == 1800.0


def test_resolution_time_excludes_pauses_and_closed_hours_in_business_time(history):
    resolution = only_row()["resolution"]
    # A 19 h, B 10 min, C 3 h from submission to the last resolution.
    assert resolution["wall"] == {"count": 3, "mean": 26600.0, "median": 10800.0, "p90": 56880.0}
    # A: 50 min before the overnight wait on the customer + 1 h; B 10 min; C 2 h + 30 min
    # after the reopen (the 30 min it stayed resolved do not count).
    assert resolution["business"] == {
        "count": 3,
        "mean": 5400.0,
        "median": 6600.0,
        "p90": 8520.0,
    }


def test_sla_compliance_per_target(history):
    sla = only_row()["sla"]
    # C had no reply before it was resolved, 2 h after submission: first response breached.
    assert sla["first_response"] == {"total": 3, "met": 2, "breached": 1, "compliance": 0.6667}
    assert sla["resolution"] == {"total": 3, "met": 3, "breached": 0, "compliance": 1.0}


def test_rates(history):
    rates = only_row()["rates"]
    assert rates["reopen"] == {"rate": 0.25, "count": 1, "of": 4}
    assert rates["first_contact_resolution"] == {"rate": 0.6667, "count": 2, "of": 3}
    assert rates["escalation"] == {"rate": 0.2, "count": 1, "of": 5}
    assert rates["handoff"] == {"rate": 0.2, "count": 1, "of": 5}
    assert rates["bounce"] == {"rate": 0.2, "count": 1, "of": 5}
    assert rates["deflection"] == {"rate": 0.2, "count": 1, "of": 5}


def test_time_in_state(history):
    states = only_row()["time_in_state"]
    # A waited on the customer from Monday 16:50 to Tuesday 10:00; 1 h 10 min of it in hours.
    assert states["pending_customer"]["wall"]["median"] == 61800.0
    assert states["pending_customer"]["business"]["median"] == 4200.0
    # In progress: A 10 min and 1 h, C 1 h 20 min and 30 min.
    assert states["in_progress"]["wall"] == {
        "count": 4,
        "mean": 2700.0,
        "median": 2700.0,
        "p90": 4440.0,
    }
    assert states["resolved"]["wall"]["count"] == 1  # C, until reopened


def test_csat(history):
    csat = only_row()["csat"]
    assert csat == {
        "count": 2,
        "average": 4.5,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
    }


def test_grouped_by_department_and_filtered(history):
    rows = {row["group"]: row for row in compute_metrics(**PERIOD, group_by="department")}
    department = history.desk.department
    assert set(rows) == {department.pk, None}
    assert rows[department.pk]["label"] == department.name
    assert rows[department.pk]["volume"]["created"] == 3  # A, C, D
    assert rows[None]["volume"]["created"] == 2  # B, E never routed
    assert rows[None]["rates"]["deflection"]["rate"] == 0.5
    filtered = only_row(filters={"department": department.pk})
    assert filtered["volume"]["created"] == 3
    assert filtered["resolution"]["wall"]["count"] == 2


def test_an_empty_period_has_zeros_and_no_averages(db):
    row = only_row()
    assert row["volume"]["created"] == 0
    assert row["resolution"]["wall"]["median"] is None
    assert row["rates"]["reopen"]["rate"] is None


def test_unknown_filter_or_grouping_is_refused(db):
    with pytest.raises(InvalidData):
        compute_metrics(**PERIOD, filters={"colour": "red"})
    with pytest.raises(InvalidData):
        compute_metrics(**PERIOD, group_by="colour")
