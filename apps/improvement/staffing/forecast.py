"""Forecasting hourly arrivals one or more weeks ahead: seasonal naive and Holt-Winters
exponential smoothing (statsmodels), the better one chosen by back-testing on the last week."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

# NumPy is imported where it is used: the admin, the API and the worker import this module
# through the staffing plan, and a process that never forecasts should not hold it
# (tests/servicedesk/test_startup_imports.py).
if TYPE_CHECKING:
    import numpy as np

WEEK = 168


def seasonal_naive(history: np.ndarray, horizon: int, *, period: int = WEEK) -> np.ndarray:
    """Each hour as it was one week before (the last week repeated)."""
    import numpy as np

    last = history[-period:]
    return np.resize(last, horizon).astype(float)


def exponential_smoothing(history: np.ndarray, horizon: int, *, period: int = WEEK) -> np.ndarray:
    """Additive Holt-Winters (no trend, weekly season) fitted by statsmodels; needs two weeks."""
    import numpy as np
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    # Hours without any arrival make the optimiser try log(0); it copes, but says so.
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        fitted = ExponentialSmoothing(
            history.astype(float),
            trend=None,
            seasonal="add",
            seasonal_periods=period,
            initialization_method="estimated",
        ).fit()
        values = fitted.forecast(horizon)
    return np.clip(values, 0, None)


METHODS = {"seasonal_naive": seasonal_naive, "exponential_smoothing": exponential_smoothing}


def backtest(history: np.ndarray, *, period: int = WEEK) -> dict[str, float]:
    """Each method's mean absolute error forecasting the last week from the weeks before it
    (methods that need more history than there is are left out)."""
    import numpy as np

    train, test = history[:-period], history[-period:]
    errors = {}
    for name, method in METHODS.items():
        needed = 2 * period if name == "exponential_smoothing" else period
        if len(train) < needed:
            continue
        errors[name] = float(np.mean(np.abs(method(train, period, period=period) - test)))
    return errors


def forecast(history: np.ndarray, weeks: int, *, period: int = WEEK) -> dict:
    """The better method by back-test, refitted on the whole history: `method`, `errors`
    (back-test MAE per method) and `values` (`weeks` x `period` hourly arrivals)."""
    errors = backtest(history, period=period) if len(history) >= 2 * period else {}
    method = min(errors, key=errors.get) if errors else "seasonal_naive"
    values = METHODS[method](history, weeks * period, period=period)
    return {"method": method, "errors": errors, "values": [round(float(v), 3) for v in values]}
