"""A weighting suggested by the desk's own data: the entropy weight method.

Over m periods each indicator j has a value x_ij. Min-max normalise it so that better is higher
(x' = (x - min) / (max - min), or (max - x) / (max - min) when lower is better), take the shares
p_ij = x'_ij / sum_i x'_ij, the entropy e_j = -1/ln(m) * sum_i p_ij ln p_ij (0 ln 0 = 0), the
divergence d_j = 1 - e_j, and the weight w_j = d_j / sum_k d_k. An indicator that never moves
tells the periods apart not at all: d_j = 0, weight 0."""

import math
from datetime import date

from apps.quality.scorecard import INDICATORS
from apps.quality.scores import department_actuals, period_bounds

# The window the admin's suggestion reads: the last twelve calendar months.
SUGGESTION_PERIOD = "month"
SUGGESTION_PERIODS = 12


def entropy_weights(
    columns: dict[str, list[float]], higher_is_better: dict[str, bool]
) -> dict[str, float]:
    """{indicator: weight} (summing to 1, or all 0 when nothing varies) from each indicator's
    values over the same periods."""
    divergence = {}
    for key, values in columns.items():
        m = len(values)
        low, high = min(values, default=0.0), max(values, default=0.0)
        if m < 2 or high == low:
            divergence[key] = 0.0
            continue
        if higher_is_better[key]:
            scaled = [(v - low) / (high - low) for v in values]
        else:
            scaled = [(high - v) / (high - low) for v in values]
        total = sum(scaled)
        shares = [s / total for s in scaled]
        entropy = -sum(p * math.log(p) for p in shares if p > 0) / math.log(m)
        divergence[key] = 1.0 - entropy
    total = sum(divergence.values())
    return {key: (d / total if total else 0.0) for key, d in divergence.items()}


def suggested_weights(
    metrics: list[str],
    *,
    department_id: int | None = None,
    period: str = SUGGESTION_PERIOD,
    count: int = SUGGESTION_PERIODS,
    today: date | None = None,
) -> dict[str, float]:
    """The entropy weights of `metrics` from the desk's (or a department's) values over the
    last `count` periods that have any data (a value neither None nor 0). A metric without a
    value in one of those periods gets no suggestion (it is left out); with fewer than two
    periods, nothing is suggested."""
    rows = [
        department_actuals(first, after, department_id=department_id)
        for first, after in period_bounds(period, count, today=today)
    ]
    # A period before the desk opened (or idle) has nothing but None and zero counts.
    rows = [r for r in rows if any(r.get(m) for m in metrics)]
    if len(rows) < 2:
        return {}
    kept = [m for m in metrics if all(r.get(m) is not None for r in rows)]
    columns = {m: [float(r[m]) for r in rows] for m in kept}
    return entropy_weights(columns, {m: INDICATORS[m][2] for m in kept})
