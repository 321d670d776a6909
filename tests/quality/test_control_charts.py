"""Control-chart limits and each run rule on constructed series (no database)."""

from datetime import date, timedelta

import pytest

from apps.quality.control_charts import (
    RULE_OUTSIDE,
    RULE_RUN,
    RULE_TREND,
    ChartPoint,
    p_chart,
    p_limits,
    run_rules,
    xmr_chart,
    xmr_limits,
)

START = date(2026, 3, 2)


def days(values):
    return [(START + timedelta(days=i), v) for i, v in enumerate(values)]


def flat(values, *, centre=10.0, ucl=20.0, lcl=0.0):
    return [ChartPoint(day=d, value=v, ucl=ucl, lcl=lcl) for d, v in days(values)]


def rules_of(signals):
    return [(s.rule, s.index, s.direction) for s in signals]


def test_xmr_limits_known_answer():
    # Moving ranges 2, 4, 2, 4: mean 3; centre 11; limits 11 -/+ 2.66 * 3.
    centre, lcl, ucl, mr_bar = xmr_limits([10, 12, 8, 10, 14])
    assert centre == pytest.approx(10.8)
    assert mr_bar == pytest.approx(3.0)
    assert ucl == pytest.approx(10.8 + 7.98)
    assert lcl == pytest.approx(10.8 - 7.98)


def test_xmr_needs_two_points():
    with pytest.raises(ValueError):
        xmr_limits([5])
    assert xmr_chart(days([5.0]), baseline_points=10).centre is None


def test_xmr_chart_limits_come_from_the_baseline_only():
    series = days([10, 12, 8, 10, 14, 100, 100])
    chart = xmr_chart(series, baseline_points=5)
    assert chart.centre == pytest.approx(10.8)
    assert chart.baseline == (START, START + timedelta(days=4))
    assert all(p.ucl == pytest.approx(18.78) for p in chart.points)
    assert rules_of(chart.signals)[:2] == [(RULE_OUTSIDE, 5, "up"), (RULE_OUTSIDE, 6, "up")]


def test_xmr_lower_limit_clipped_at_floor():
    chart = xmr_chart(days([1, 9, 1, 9]), baseline_points=4)
    assert chart.points[0].lcl == 0.0
    assert xmr_chart(days([1, 9, 1, 9]), baseline_points=4, floor=None).points[0].lcl < 0


def test_p_limits_known_answer():
    lcl, ucl = p_limits(0.1, 100)
    assert (lcl, ucl) == (pytest.approx(0.01), pytest.approx(0.19))
    assert p_limits(0.5, 1) == (0.0, 1.0)


def test_p_chart_pools_the_baseline_and_varies_limits_with_n():
    series = [
        (d, n, x)
        for (d, _), (n, x) in zip(
            days([0] * 4), [(100, 10), (100, 10), (50, 5), (400, 120)], strict=True
        )
    ]
    chart = p_chart(series, baseline_points=3)
    assert chart.centre == pytest.approx(0.1)
    wide, narrow = chart.points[2], chart.points[3]
    assert wide.ucl - wide.lcl > narrow.ucl - narrow.lcl
    assert rules_of(chart.signals) == [(RULE_OUTSIDE, 3, "up")]


def test_p_chart_skips_days_without_items_and_empty_series():
    assert p_chart([], baseline_points=5).points == []
    chart = p_chart([(START, 0, 0), (START + timedelta(days=1), 10, 1)], baseline_points=5)
    assert [p.n for p in chart.points] == [10]


def test_rule_outside_limits_both_directions():
    signals = run_rules(flat([10, 25, 9, -1, 11]), 10.0)
    assert (RULE_OUTSIDE, 1, "up") in rules_of(signals)
    assert (RULE_OUTSIDE, 3, "down") in rules_of(signals)


def test_rule_run_of_eight_on_one_side_fires_once_at_the_eighth():
    values = [11, 12, 11, 13, 11, 12, 11, 12, 13, 11]
    assert [s for s in rules_of(run_rules(flat(values), 10.0)) if s[0] == RULE_RUN] == [
        (RULE_RUN, 7, "up")
    ]


def test_rule_run_broken_by_the_centre_or_the_other_side():
    seven_then_break = [9, 8, 9, 8, 9, 8, 9, 10, 9, 8, 9, 8, 9, 8]
    found = [s for s in rules_of(run_rules(flat(seven_then_break), 10.0)) if s[0] == RULE_RUN]
    assert found == []
    below = [9, 8, 9, 8, 9, 8, 9, 8]
    found = [s for s in rules_of(run_rules(flat(below), 10.0)) if s[0] == RULE_RUN]
    assert found == [(RULE_RUN, 7, "down")]


def test_rule_trend_of_six_rising_or_falling():
    rising = [5, 6, 7, 8, 9, 10.5]
    assert [s for s in rules_of(run_rules(flat(rising), 8.0)) if s[0] == RULE_TREND] == [
        (RULE_TREND, 5, "up")
    ]
    falling = [15, 14, 13, 12, 11, 10, 9]
    assert [s for s in rules_of(run_rules(flat(falling), 12.0)) if s[0] == RULE_TREND] == [
        (RULE_TREND, 5, "down")
    ]


def test_rule_trend_broken_by_a_tie_or_a_turn():
    assert not [s for s in run_rules(flat([5, 6, 7, 7, 8, 9, 10]), 8.0) if s.rule == RULE_TREND]
    assert not [s for s in run_rules(flat([5, 6, 7, 6, 8, 9, 10]), 8.0) if s.rule == RULE_TREND]


def test_a_stable_process_gives_no_signal():
    values = [10, 11, 9, 10, 12, 9, 10, 11, 8, 10, 11, 9]
    chart = xmr_chart(days(values), baseline_points=12)
    assert chart.signals == []
