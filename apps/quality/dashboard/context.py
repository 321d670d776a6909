"""Everything the quality dashboard shows, gathered from the selectors and drawn as SVG."""

from collections.abc import Callable

from django.utils.translation import gettext as _

from apps.analytics.process_map import bottleneck, process_map, variants
from apps.quality.charts import ChartWindow, draw_charts
from apps.quality.dashboard import svg
from apps.quality.dashboard.process_svg import process_map_svg, state_label
from apps.quality.feedback_analysis import analyse_feedback
from apps.quality.models import QualityAlert
from apps.quality.scorecard import INDICATORS
from apps.quality.scores import scorecard
from apps.quality.series import csat_by_week, day_rows, volume
from apps.tickets.admin.transitions import label as transition_label


def _hours(value: float) -> str:
    return f"{value:.1f} h"


def _count(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def dashboard_context(window: ChartWindow) -> dict:
    """The dashboard of the desk (or one department) over the control charts' span."""
    department_id = window.department_id
    span = window.span
    rows = day_rows(span)
    charts = draw_charts(window, rows)
    rule_names = dict(QualityAlert.Rule.choices)
    filters = span.filters()
    flows = volume(rows)
    labels = [row["day"].strftime("%m-%d") for row in flows]
    graph = process_map(start=span.start, end=span.end, filters=filters, view="states")
    slowest = bottleneck(start=span.start, end=span.end, filters=filters)
    top_variants = variants(start=span.start, end=span.end, filters=filters, limit=5)
    weeks = csat_by_week(rows)
    feedback = analyse_feedback(start=span.start, end=span.end, department_id=department_id)
    card = scorecard(period="month", count=6, department_id=department_id)
    return {
        "span": span,
        "window": window,
        "charts": charts,
        "volume_svg": svg.line_chart(
            labels,
            {
                _("Created"): [r["created"] for r in flows],
                _("Out"): [r["out"] for r in flows],
                _("Backlog"): [r["backlog"] for r in flows],
            },
            fmt=_count,
            unit=_("requests"),
            label=_("No requests in this period."),
        ),
        "resolution_svg": svg.control_chart(
            charts["resolution_time"].as_dict(),
            fmt=_hours,
            names=rule_names,
            key=_control_key(_("daily mean resolution time")),
            unit=_("hours"),
            label=_("No resolved requests in this period."),
        ),
        "sla_svg": svg.control_chart(
            charts["sla_compliance"].as_dict(),
            fmt=_percent,
            names=rule_names,
            key=_control_key(_("daily share met")),
            unit=_("% met"),
            label=_("No SLA clocks stopped in this period."),
        ),
        "process_svg": process_map_svg(
            graph,
            bottleneck=slowest["state"] if slowest else None,
            label=_("No requests submitted in this period."),
        ),
        "bottleneck": slowest,
        "bottleneck_state": state_label(slowest["state"]) if slowest else None,
        "bottleneck_hours": slowest["median"] / 3600 if slowest else None,
        "variants": top_variants,
        "variants_svg": svg.bar_chart(
            [
                (" → ".join(transition_label(a) for a in v["activities"]), v["cases"])
                for v in top_variants["variants"]
            ],
            fmt=_count,
            label=_("No variants yet."),
        ),
        "csat_svg": svg.line_chart(
            [w["week"].strftime("%m-%d") for w in weeks],
            {_("CSAT average"): [w["average"] for w in weeks]},
            fmt=lambda v: f"{v:.1f}",
            floor=1.0,
            unit=_("rating (1-5)"),
            label=_("No feedback in this period."),
        ),
        "feedback": feedback,
        "themes_svg": svg.bar_chart(
            [(", ".join(t["terms"]), t["count"]) for t in feedback["themes"]],
            fmt=_count,
            label=_("No comments in this period."),
        ),
        "scorecard": card,
        "scorecard_header": [
            INDICATORS[row["metric"]][0]
            for row in (card["current"] or [{}])[0].get("indicators", [])
        ],
        "scorecard_rows": [_scorecard_row(d) for d in card["current"]],
        "scorecard_svg": _scorecard_trend(card),
        "alerts": QualityAlert.objects.select_related("department").filter(
            **({"department_id": department_id} if department_id else {})
        )[:10],
    }


# How each indicator's unit is written in the scorecard.
_UNIT_TEXT: dict[str, Callable[[float], str]] = {
    "share": _percent,
    "hours": _hours,
    "1-5": lambda v: f"{v:.1f} / 5",
    "count": _count,
}


def _scorecard_row(department: dict) -> dict:
    """A department's scorecard row with each actual and target written in its unit."""

    def text(metric: str, value: float | None) -> str:
        return "-" if value is None else _UNIT_TEXT[INDICATORS[metric][1]](value)

    return {
        "name": department["name"],
        "score": "-" if department["score"] is None else _count(department["score"]),
        "cells": [
            {"actual": text(r["metric"], r["actual"]), "target": text(r["metric"], r["target"])}
            for r in department["indicators"]
        ],
    }


def _scorecard_trend(card: dict):
    names = {d["department"]: d["name"] for d in card["current"]}
    labels = [t["start"].strftime("%Y-%m") for t in card["trend"]]
    series = {name: [t["scores"].get(pk) for t in card["trend"]] for pk, name in names.items()}
    return svg.line_chart(
        labels, series, fmt=_count, unit=_("score (0-100)"), label=_("No scores yet.")
    )


def _control_key(value: str) -> dict:
    return {
        "value": value,
        "centre": _("centre line"),
        "limits": _("control limits"),
        "baseline": _("baseline"),
        "signal": _("signal"),
    }
