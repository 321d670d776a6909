"""The KPI scorecard's arithmetic: achievement per indicator and the weighted score, no database."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# Each indicator the scorecard can weigh: its label, unit, and whether more is better.
INDICATORS = {
    "sla_compliance": (_("SLA compliance"), "share", True),
    "resolution_hours": (_("Mean resolution time"), "hours", False),
    "first_response_hours": (_("Mean first response time"), "hours", False),
    "csat": (_("CSAT average"), "1-5", True),
    "reopen_rate": (_("Reopen rate"), "share", False),
    "escalation_rate": (_("Escalation rate"), "share", False),
    "resolved": (_("Requests resolved"), "count", True),
}


@dataclass(frozen=True)
class IndicatorSpec:
    metric: str
    target: float
    weight: float


@dataclass
class ScoreRow:
    metric: str
    target: float
    weight: float
    actual: float | None
    achievement: float | None  # 0..1, None without data


@dataclass
class Score:
    score: float | None  # 0..100, None when no indicator has data
    rows: list[ScoreRow] = field(default_factory=list)


def achievement(metric: str, actual: float | None, target: float) -> float | None:
    """How much of the target is met, from 0 to 1 (capped: beating a target earns no extra)."""
    if actual is None:
        return None
    higher_is_better = INDICATORS[metric][2]
    if higher_is_better:
        ratio = 1.0 if target <= 0 else actual / target
    elif actual <= 0:
        ratio = 1.0
    else:
        ratio = target / actual
    return round(max(0.0, min(1.0, ratio)), 4)


def weighted_score(specs: list[IndicatorSpec], actuals: dict[str, float | None]) -> Score:
    """The weighted mean achievement (0-100) over the indicators that have data; indicators
    without data are shown but leave the weights of the others as they are."""
    rows = [
        ScoreRow(
            metric=s.metric,
            target=s.target,
            weight=s.weight,
            actual=actuals.get(s.metric),
            achievement=achievement(s.metric, actuals.get(s.metric), s.target),
        )
        for s in specs
    ]
    measured = [r for r in rows if r.achievement is not None and r.weight > 0]
    total = sum(r.weight for r in measured)
    if not total:
        return Score(score=None, rows=rows)
    return Score(
        score=round(100 * sum(r.weight * r.achievement for r in measured) / total, 1), rows=rows
    )
