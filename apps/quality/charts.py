"""The control charts of a department or the desk: a baseline period, then the watched window."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from apps.quality.control_charts import Chart, p_chart, xmr_chart
from apps.quality.series import Span, day_rows, resolution_hours, sla_compliance

# Fewer baseline points than this and the limits come from the whole chart (provisional).
MIN_BASELINE_POINTS = 5
# Which direction of a signal means worse service, per chart.
WORSE_WHEN = {"resolution_time": "up", "sla_compliance": "down"}


@dataclass(frozen=True)
class ChartWindow:
    """The baseline days, then the watched days, ending on `last` (yesterday by default:
    today is not over)."""

    last: date
    baseline_days: int
    window_days: int
    department_id: int | None = None

    @classmethod
    def ending(cls, last: date | None = None, *, department_id: int | None = None):
        return cls(
            last=last or timezone.localdate() - timedelta(days=1),
            baseline_days=getattr(settings, "SERVICEDESK_QUALITY_BASELINE_DAYS", 28),
            window_days=cls.default_days(),
            department_id=department_id,
        )

    @classmethod
    def default_days(cls) -> int:
        return getattr(settings, "SERVICEDESK_QUALITY_WINDOW_DAYS", 28)

    @classmethod
    def between(cls, first: date, last: date, *, department_id: int | None = None):
        """The days from `first` to `last` watched, after the usual baseline before them."""
        return cls(
            last=last,
            baseline_days=getattr(settings, "SERVICEDESK_QUALITY_BASELINE_DAYS", 28),
            window_days=(last - first).days + 1,
            department_id=department_id,
        )

    @property
    def window_first(self) -> date:
        return self.last - timedelta(days=self.window_days - 1)

    @property
    def span(self) -> Span:
        first = self.window_first - timedelta(days=self.baseline_days)
        return Span(first=first, last=self.last, department_id=self.department_id)


def _baseline_points(days: list[date], window: ChartWindow) -> tuple[int, bool]:
    """How many leading points make the baseline, and whether that is too few (then all)."""
    count = sum(1 for d in days if d < window.window_first)
    return (count, False) if count >= MIN_BASELINE_POINTS else (0, True)


def resolution_time_chart(rows: list[dict], window: ChartWindow) -> Chart:
    """XmR chart of the daily mean resolution time in hours."""
    series = resolution_hours(rows)
    count, provisional = _baseline_points([d for d, _, _ in series], window)
    chart = xmr_chart([(d, hours) for d, hours, _ in series], baseline_points=count)
    chart.provisional = provisional
    return chart


def sla_compliance_chart(rows: list[dict], window: ChartWindow) -> Chart:
    """p-chart of the daily share of SLA clocks met (compliance), every target together."""
    series = sla_compliance(rows)
    count, provisional = _baseline_points([d for d, _, _ in series], window)
    chart = p_chart(series, baseline_points=count)
    chart.provisional = provisional
    return chart


def draw_charts(window: ChartWindow, rows: list[dict] | None = None) -> dict[str, Chart]:
    """Both control charts of the window (from `rows` of its span when given)."""
    rows = day_rows(window.span) if rows is None else rows
    return {
        "resolution_time": resolution_time_chart(rows, window),
        "sla_compliance": sla_compliance_chart(rows, window),
    }
