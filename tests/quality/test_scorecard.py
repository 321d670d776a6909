"""The scorecard's achievement and weighted score (no database)."""

import pytest

from apps.quality.scorecard import IndicatorSpec, achievement, weighted_score


@pytest.mark.parametrize(
    ("metric", "actual", "target", "expected"),
    [
        ("sla_compliance", 0.9, 0.95, 0.9474),
        ("sla_compliance", 1.0, 0.95, 1.0),  # beating the target is capped
        ("resolution_hours", 10.0, 8.0, 0.8),  # lower is better
        ("resolution_hours", 4.0, 8.0, 1.0),
        ("resolution_hours", 0.0, 8.0, 1.0),
        ("csat", 3.0, 4.5, 0.6667),
        ("csat", None, 4.5, None),
    ],
)
def test_achievement(metric, actual, target, expected):
    assert achievement(metric, actual, target) == expected


def test_weighted_score_ignores_indicators_without_data():
    specs = [
        IndicatorSpec("sla_compliance", 0.9, 2),
        IndicatorSpec("resolution_hours", 8.0, 1),
        IndicatorSpec("csat", 4.5, 1),
    ]
    score = weighted_score(specs, {"sla_compliance": 0.9, "resolution_hours": 16.0})
    # (2 * 1.0 + 1 * 0.5) / 3
    assert score.score == pytest.approx(83.3)
    assert [r.achievement for r in score.rows] == [1.0, 0.5, None]


def test_weighted_score_without_any_data():
    assert weighted_score([IndicatorSpec("csat", 4.5, 1)], {}).score is None
    assert weighted_score([], {"csat": 4.0}).score is None
