"""Control charts (XmR and p) and run rules over series given to them: plain maths, no database."""

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from itertools import pairwise

# The XmR constants for moving ranges of two points (Wheeler; ASTM E2587): 3 / d2 = 2.66,
# and the upper limit of the moving ranges D4 = 3.268.
XMR_FACTOR = 2.66
MR_UCL_FACTOR = 3.268

# Run rules (Western Electric / Nelson, the common defaults).
RULE_OUTSIDE = "outside_limits"
RULE_RUN = "run_one_side"
RULE_TREND = "trend"
RULES = (RULE_OUTSIDE, RULE_RUN, RULE_TREND)
RUN_LENGTH = 8
TREND_LENGTH = 6


@dataclass(frozen=True)
class Signal:
    """A rule that fired, at the point that completed it (index into the chart's points)."""

    rule: str
    index: int
    day: date
    direction: str  # "up" (above the centre or rising) or "down"
    detail: str = ""


@dataclass
class ChartPoint:
    day: date
    value: float
    ucl: float
    lcl: float
    # Sample size behind the point (p-charts: requests measured that day).
    n: int | None = None


@dataclass
class Chart:
    """A control chart: the centre line and limits from the baseline, the points, the signals."""

    kind: str  # "xmr" or "p"
    centre: float | None
    baseline: tuple[date, date] | None
    points: list[ChartPoint] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    mr_bar: float | None = None
    # True when the limits come from the points themselves, for want of a baseline period.
    provisional: bool = False

    def as_dict(self) -> dict:
        data = asdict(self)
        data["baseline"] = list(self.baseline) if self.baseline else None
        return data


def xmr_limits(baseline: list[float]) -> tuple[float, float, float, float]:
    """Centre, lower and upper limit, and the mean moving range of an individuals chart.

    Needs two points or more; the lower limit may be negative (the caller clips it where the
    measure cannot be, e.g. a time)."""
    if len(baseline) < 2:
        raise ValueError("An XmR baseline needs at least two points.")
    centre = sum(baseline) / len(baseline)
    ranges = [abs(b - a) for a, b in pairwise(baseline)]
    mr_bar = sum(ranges) / len(ranges)
    return centre, centre - XMR_FACTOR * mr_bar, centre + XMR_FACTOR * mr_bar, mr_bar


def p_limits(p_bar: float, n: int) -> tuple[float, float]:
    """Lower and upper 3-sigma limits of a p-chart point with `n` items, clipped to [0, 1]."""
    if n <= 0:
        return 0.0, 1.0
    sigma = math.sqrt(p_bar * (1 - p_bar) / n)
    return max(0.0, p_bar - 3 * sigma), min(1.0, p_bar + 3 * sigma)


def xmr_chart(
    series: list[tuple[date, float]], *, baseline_points: int, floor: float | None = 0.0
) -> Chart:
    """An individuals chart of `series` (day, value), with limits from its first
    `baseline_points` points (all when 0), and its run-rule signals."""
    values = [v for _, v in series]
    base = values[:baseline_points] if baseline_points else values
    if len(base) < 2:
        return Chart(kind="xmr", centre=None, baseline=None, points=[])
    centre, lcl, ucl, mr_bar = xmr_limits(base)
    if floor is not None:
        lcl = max(lcl, floor)
    points = [ChartPoint(day=d, value=v, ucl=ucl, lcl=lcl) for d, v in series]
    chart = Chart(
        kind="xmr",
        centre=centre,
        baseline=(series[0][0], series[len(base) - 1][0]),
        points=points,
        mr_bar=mr_bar,
    )
    chart.signals = run_rules(points, centre)
    return chart


def p_chart(series: list[tuple[date, int, int]], *, baseline_points: int) -> Chart:
    """A p-chart of `series` (day, items, items counted, e.g. nonconforming or met): the share
    counted, with limits per point from the pooled share of the first `baseline_points` points
    (all when 0)."""
    series = [row for row in series if row[1] > 0]
    base = series[:baseline_points] if baseline_points else series
    total = sum(n for _, n, _ in base)
    if not base or total == 0:
        return Chart(kind="p", centre=None, baseline=None, points=[])
    p_bar = sum(x for _, _, x in base) / total
    points = []
    for day, n, x in series:
        lcl, ucl = p_limits(p_bar, n)
        points.append(ChartPoint(day=day, value=x / n, ucl=ucl, lcl=lcl, n=n))
    chart = Chart(kind="p", centre=p_bar, baseline=(base[0][0], base[-1][0]), points=points)
    chart.signals = run_rules(points, p_bar)
    return chart


def run_rules(
    points: list[ChartPoint],
    centre: float,
    *,
    run_length: int = RUN_LENGTH,
    trend_length: int = TREND_LENGTH,
) -> list[Signal]:
    """Every signal in `points`, in order: a point outside its limits; `run_length` points in a
    row on one side of the centre (signalled once per run, at the point completing it); and
    `trend_length` points in a row each higher (or each lower) than the one before."""
    signals = []
    side_run, side = 0, 0
    trend_run, trend = 1, 0
    for i, point in enumerate(points):
        if point.value > point.ucl or point.value < point.lcl:
            up = point.value > point.ucl
            limit = point.ucl if up else point.lcl
            signals.append(
                Signal(RULE_OUTSIDE, i, point.day, "up" if up else "down", f"limit {limit:.4g}")
            )
        here = (point.value > centre) - (point.value < centre)
        side_run = side_run + 1 if here and here == side else (1 if here else 0)
        side = here
        if side_run == run_length:
            signals.append(
                Signal(RULE_RUN, i, point.day, "up" if side > 0 else "down", f"{run_length} points")
            )
        if i:
            step = (point.value > points[i - 1].value) - (point.value < points[i - 1].value)
            trend_run = trend_run + 1 if step and step == trend else (2 if step else 1)
            trend = step
            if trend_run == trend_length:
                signals.append(
                    Signal(
                        RULE_TREND,
                        i,
                        point.day,
                        "up" if trend > 0 else "down",
                        f"{trend_length} points",
                    )
                )
    return signals
