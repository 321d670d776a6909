"""Quality alerts: a control-chart rule that fires becomes an alert row and a notification."""

import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.actors import actor_for_user
from apps.accounts.models import Department
from apps.core.errors import Forbidden
from apps.notifications.services import do_notify, do_publish_event
from apps.quality.charts import WORSE_WHEN, ChartWindow, draw_charts
from apps.quality.control_charts import Chart, Signal
from apps.quality.models import QualityAlert

logger = logging.getLogger(__name__)

ALERT_KIND = "quality_alert"


def do_raise_quality_alerts(*, last=None) -> list[QualityAlert]:
    """Draw every control chart of the desk and of each department over the window ending on
    `last` (yesterday by default) and record each signal in the window not recorded before.

    Writes: one `QualityAlert` per new signal (the unique constraint keeps a re-run from
    raising one twice), each in its own transaction with its notification. Enqueues (after
    commit): a notification to the department's leads (the desk's: superusers) and a
    `quality_alert` webhook event. Charts without a baseline period of their own raise nothing.
    """
    raised = []
    scopes = [None, *Department.objects.values_list("pk", flat=True)]
    for department_id in scopes:
        window = ChartWindow.ending(last, department_id=department_id)
        for name, chart in draw_charts(window).items():
            if chart.provisional or chart.centre is None:
                continue
            for signal in chart.signals:
                if signal.day >= window.window_first:
                    alert = _record(name, chart, signal, department_id)
                    if alert is not None:
                        raised.append(alert)
    return raised


def _record(name: str, chart: Chart, signal: Signal, department_id) -> QualityAlert | None:
    point = chart.points[signal.index]
    try:
        with transaction.atomic():
            alert = QualityAlert.objects.create(
                department_id=department_id,
                chart=name,
                rule=signal.rule,
                day=signal.day,
                worse=signal.direction == WORSE_WHEN[name],
                value=point.value,
                centre=chart.centre,
                lower_limit=point.lcl,
                upper_limit=point.ucl,
                detail=signal.detail,
                created_at=timezone.now(),
            )
            _announce(alert)
    except IntegrityError:
        return None
    logger.info("quality alert %s raised", alert)
    return alert


def _announce(alert: QualityAlert) -> None:
    if alert.department_id:
        recipients = alert.department.leads.all()
        where = alert.department.name
    else:
        recipients = get_user_model().objects.filter(is_superuser=True, is_active=True)
        where = ""

    def title() -> str:
        return _("%(chart)s: %(rule)s on %(day)s (%(where)s)") % {
            "chart": alert.get_chart_display(),
            "rule": alert.get_rule_display(),
            "day": alert.day.isoformat(),
            "where": where or _("the whole desk"),
        }

    def body() -> str:
        return _(
            "%(direction)s. Value %(value).3g; centre %(centre).3g; limits %(lcl).3g to %(ucl).3g."
        ) % {
            "direction": _("Service got worse") if alert.worse else _("Service got better"),
            "value": alert.value,
            "centre": alert.centre,
            "lcl": alert.lower_limit,
            "ucl": alert.upper_limit,
        }

    # Made per recipient in their language (do_notify).
    do_notify(recipients=recipients, kind=ALERT_KIND, title=title, body=body)
    do_publish_event(kind=ALERT_KIND, payload=alert_payload(alert))


def alert_payload(alert: QualityAlert) -> dict:
    """The JSON shape of an alert (API and webhooks)."""
    return {
        "id": alert.pk,
        "department": alert.department_id,
        "chart": alert.chart,
        "rule": alert.rule,
        "day": alert.day.isoformat(),
        "worse": alert.worse,
        "value": alert.value,
        "centre": alert.centre,
        "lower_limit": alert.lower_limit,
        "upper_limit": alert.upper_limit,
        "detail": alert.detail,
        "created_at": alert.created_at.isoformat(),
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
    }


def may_acknowledge(actor, alert: QualityAlert) -> bool:
    """A department's alerts are its leads' to acknowledge; the desk's the superusers'."""
    if alert.department_id is None:
        return actor.is_supervisor
    return actor.leads(alert.department_id)


def do_acknowledge_alert(alert: QualityAlert, *, user) -> QualityAlert:
    """Mark the alert as seen by `user` (once; later calls change nothing).

    Writes: acknowledged_at and acknowledged_by only. Raises Forbidden unless the user may
    acknowledge it (`may_acknowledge`)."""
    if not may_acknowledge(actor_for_user(user), alert):
        raise Forbidden(_("Only the department's leads acknowledge its alerts."))
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), user
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert
