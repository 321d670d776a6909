"""A pickup delay that was over when the agent freed is known only to be at most the stay
(left-censored): the fit keeps it as a bound (fitting.fit_left_censored) instead of leaving it
out, which kept the long delays and dropped the short ones."""

import random

import numpy as np
import pytest

from apps.simulation.fitting import EMPIRICAL_MIN, fit_left_censored, fit_step

pytestmark = pytest.mark.filterwarnings("error")


def _stays(seed: int = 1, n: int = 4000):
    """Pickup delays (median 20 minutes) and the instant the agent is free after the request
    was queued: the stay is the later of the two; it is a pickup when the agent was free
    first, a bound when the agent freed last (the request was ready and waited)."""
    rng = np.random.default_rng(seed)
    delays = rng.lognormal(np.log(1200.0), 1.0, n)
    free = rng.exponential(1500.0, n)
    stays = np.maximum(delays, free)
    exact, bounds = stays[delays >= free], stays[delays < free]
    return delays, [float(s) for s in exact], [float(s) for s in bounds]


def test_bounds_bring_the_fitted_delay_back_to_the_drawn_one():
    delays, exact, bounds = _stays()
    truth = float(np.median(delays))
    exact_only = fit_step(exact)
    fitted = fit_left_censored(exact, bounds)
    assert exact_only is not None and fitted is not None
    # Left out, the bounds take the short delays with them: the median reads 60 % long.
    assert exact_only.median > 1.4 * truth
    assert fitted.median == pytest.approx(truth, rel=0.1)
    # The spread too: the 90th percentile of draws from the fit against the drawn one.
    rng = random.Random(3)
    draws = [fitted.sample(rng) for _ in range(4000)]
    assert np.percentile(draws, 90) == pytest.approx(np.percentile(delays, 90), rel=0.2)


def test_without_bounds_or_exact_times_it_is_the_plain_fit():
    _delays, exact, bounds = _stays(n=400)
    assert fit_left_censored(exact, []) == fit_step(exact)
    assert fit_left_censored(exact[: EMPIRICAL_MIN - 1], bounds) is None


def test_bounds_below_every_exact_time_put_their_mass_below_it():
    exact = [600.0, 900.0, 1200.0, 1500.0, 1800.0, 2400.0]
    bounds = [60.0] * 6
    fitted = fit_left_censored(exact, bounds)
    assert fitted is not None
    # Half the observations are known to be under a minute: the median is no longer 20 min.
    assert fitted.median < 600.0
