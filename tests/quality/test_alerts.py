"""Daily series from the event log, control charts over them, and the alerts they raise."""

from datetime import timedelta

import pytest
from django.test import override_settings

from apps.core.errors import Forbidden
from apps.eventlog.models import AppendOnlyError
from apps.notifications.models import Notification
from apps.quality.alerts import do_acknowledge_alert, do_raise_quality_alerts
from apps.quality.charts import ChartWindow, draw_charts
from apps.quality.models import QualityAlert
from apps.quality.series import Span, day_rows, resolution_hours, sla_compliance, volume
from tests.paths import Desk
from tests.quality.history import resolve_daily
from tests.sla_fixtures import T0

DAY0 = T0.date()
# Ten calm days (about 2 hours each), then ten days at 6 hours: out of limits and a run above.
CALM = [2.0, 2.5, 1.5, 2.0, 2.2, 1.8, 2.4, 1.6, 2.1, 1.9]
SLOW = [6.0] * 10
WINDOW = {"SERVICEDESK_QUALITY_BASELINE_DAYS": 10, "SERVICEDESK_QUALITY_WINDOW_DAYS": 10}


@pytest.fixture
def desk(customer):
    return Desk(customer)


def test_series_from_the_event_log(desk, clock, standard_policy):
    resolve_daily(desk, clock, [2.0, None, 5.0])
    span = Span(first=DAY0, last=DAY0 + timedelta(days=2))
    rows = day_rows(span)
    assert resolution_hours(rows) == [
        (DAY0, pytest.approx(2.0), 1),
        (DAY0 + timedelta(days=2), pytest.approx(5.0), 1),
    ]
    # Standard policy: resolution within 4 hours (met on day 0 only), first response within
    # 1 hour (nobody replied: breached, found when the clock stopped at resolution).
    assert sla_compliance(rows) == [(DAY0, 2, 1), (DAY0 + timedelta(days=2), 2, 0)]
    flows = volume(rows)
    assert [v["backlog"] for v in flows] == [0, 0, 0]
    assert [v["created"] for v in flows] == [1, 0, 1]
    other = Span(first=DAY0, last=DAY0, department_id=desk.other_department.pk)
    assert resolution_hours(day_rows(other)) == []


@override_settings(**WINDOW)
def test_charts_use_the_baseline_and_alerts_are_raised_once(desk, clock, standard_policy):
    resolve_daily(desk, clock, CALM + SLOW)
    last = DAY0 + timedelta(days=19)
    window = ChartWindow.ending(last, department_id=desk.department.pk)
    charts = draw_charts(window)
    chart = charts["resolution_time"]
    assert not chart.provisional
    assert chart.centre == pytest.approx(sum(CALM) / 10)
    assert chart.baseline == (DAY0, DAY0 + timedelta(days=9))
    rules = {(s.rule, s.direction) for s in chart.signals}
    assert ("outside_limits", "up") in rules and ("run_one_side", "up") in rules
    compliance = charts["sla_compliance"]
    # Half the clocks met in the baseline (first responses all breached), none later.
    assert compliance.centre == pytest.approx(0.5)

    alerts = do_raise_quality_alerts(last=last)
    mine = [a for a in alerts if a.department_id == desk.department.pk]
    assert {(a.chart, a.rule) for a in mine} >= {
        ("resolution_time", "outside_limits"),
        ("resolution_time", "run_one_side"),
        ("sla_compliance", "run_one_side"),
    }
    assert all(a.worse for a in mine)
    assert all(a.day >= window.window_first for a in alerts)
    # The department's lead is told; a second sweep raises nothing new.
    notified = Notification.objects.filter(kind="quality_alert", recipient=desk.lead.user)
    assert notified.count() == len(mine)
    assert do_raise_quality_alerts(last=last) == []


@override_settings(**WINDOW)
def test_no_alert_without_a_baseline(desk, clock, standard_policy):
    resolve_daily(desk, clock, SLOW)
    last = DAY0 + timedelta(days=9)
    assert draw_charts(ChartWindow.ending(last))["resolution_time"].provisional
    assert do_raise_quality_alerts(last=last) == []


@override_settings(**WINDOW)
def test_alerts_are_append_only_but_for_acknowledgement(desk, clock, standard_policy):
    resolve_daily(desk, clock, CALM + SLOW)
    alerts = do_raise_quality_alerts(last=DAY0 + timedelta(days=19))
    desk_wide = next(a for a in alerts if a.department_id is None)
    with pytest.raises(Forbidden):
        do_acknowledge_alert(desk_wide, user=desk.lead.user)
    alert = next(a for a in alerts if a.department_id == desk.department.pk)
    alert.value = 0
    with pytest.raises(AppendOnlyError):
        alert.save()
    alert = QualityAlert.objects.get(pk=alert.pk)
    do_acknowledge_alert(alert, user=desk.lead.user)
    assert QualityAlert.objects.get(pk=alert.pk).acknowledged_by == desk.lead.user


def test_the_sweep_task_is_on_the_beat_schedule_and_runs(db):
    from django.conf import settings

    from workflows.tasks import sweep_quality_alerts

    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == sweep_quality_alerts.name
    ]
    assert entries and sweep_quality_alerts.name.startswith("default.")
    assert sweep_quality_alerts.apply().get() == 0  # an empty desk raises nothing
