"""Erlang C against published reference values; the forecast back-test on a synthetic series."""

import numpy as np
import pytest

from apps.improvement.staffing.erlang import agents_needed, erlang_c, service_level
from apps.improvement.staffing.forecast import WEEK, backtest, forecast


def test_erlang_c_matches_the_published_worked_example():
    # The classic worked example (Call Centre Helper, "Erlang C formula - made simple"): 100
    # calls in 30 minutes, 180 s handling time (10 Erlangs), answer 80% within 20 s.
    # With 11 agents P(wait) is 68.21%, so the service level is 1 - 0.6821 e^(-1 x 20/180);
    # 14 agents are the fewest that reach 80%.
    assert erlang_c(11, 10.0) == pytest.approx(0.6821, abs=1e-4)
    assert service_level(11, 10.0, 180, 20) == pytest.approx(1 - 0.6821 * 0.894839, abs=1e-4)
    assert service_level(13, 10.0, 180, 20) == pytest.approx(0.7956, abs=1e-3)
    assert service_level(14, 10.0, 180, 20) == pytest.approx(0.8884, abs=1e-3)
    assert agents_needed(arrivals_per_hour=200, handling_seconds=180, target_seconds=20) == 14


def test_erlang_c_edges():
    # One agent, load a: P(wait) = a (M/M/1).
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    # Two agents, one Erlang: C = 1/3; three agents, two Erlangs: C = 4/9 (closed forms).
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)
    assert erlang_c(3, 3.0) == 1.0
    assert agents_needed(arrivals_per_hour=0, handling_seconds=600, target_seconds=60) == 0


def _seasonal(weeks: int, *, noise: float, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    hours = np.arange(weeks * WEEK)
    weekday, hour = (hours // 24) % 7, hours % 24
    office = (weekday < 5) & (hour >= 8) & (hour < 18)
    level = np.where(office, 10.0, 1.0) + 3 * np.sin(2 * np.pi * hour / 24)
    return np.clip(level + rng.normal(0, noise, len(hours)), 0, None)


def test_the_backtest_prefers_smoothing_on_a_noisy_seasonal_series():
    # With noise the last week alone is a poor guess; smoothing averages the weeks.
    series = _seasonal(8, noise=2.0)
    errors = backtest(series)
    assert set(errors) == {"seasonal_naive", "exponential_smoothing"}
    assert errors["exponential_smoothing"] < errors["seasonal_naive"]
    result = forecast(series, 2)
    assert result["method"] == "exponential_smoothing"
    assert len(result["values"]) == 2 * WEEK
    # The forecast keeps the weekly shape: office hours busier than nights.
    values = np.array(result["values"][:WEEK])
    assert values[24 * 2 + 10] > 3 * values[24 * 2 + 3]


def test_the_backtest_picks_seasonal_naive_on_an_exact_repeat_and_short_history():
    exact = np.tile(_seasonal(1, noise=0.0), 4)
    assert backtest(exact)["seasonal_naive"] == 0.0
    assert forecast(exact, 1)["method"] == "seasonal_naive"
    short = _seasonal(1, noise=1.0)
    assert forecast(short, 1) == {
        "method": "seasonal_naive",
        "errors": {},
        "values": [round(float(v), 3) for v in short],
    }
