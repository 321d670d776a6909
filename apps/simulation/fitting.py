"""Step-time distributions fitted by maximum likelihood (scipy), or empirical quantiles."""

import math
import statistics

import numpy as np
from scipy import stats

from apps.simulation.model import StepDist

# Fewer observations than this: empirical quantiles; fewer than EMPIRICAL_MIN: no distribution.
PARAMETRIC_MIN = 30
EMPIRICAL_MIN = 5
QUANTILES = 21
# Durations are floored here before logarithms (the log keeps zero-second steps).
FLOOR_SECONDS = 1.0
# A fitted distribution whose mean is further than this from the observed mean misdescribes
# the step (a mixture, say short and long stretches of the same state, gives a lognormal with a
# huge spread whose mean is several times the data's): the empirical quantiles are kept then.
MEAN_TOLERANCE = 0.2
# Quantiles kept for an empirical distribution fitted on many observations.
MANY_QUANTILES = 101


def fit_step(seconds: list[float]) -> StepDist | None:
    """The better of a lognormal and an exponential by AIC when there are enough observations;
    else the empirical quantiles; None with fewer than EMPIRICAL_MIN."""
    n = len(seconds)
    if n < EMPIRICAL_MIN:
        return None
    median = statistics.median(seconds)
    data = np.maximum(np.asarray(seconds, dtype=float), FLOOR_SECONDS)
    if n < PARAMETRIC_MIN or float(np.ptp(data)) == 0.0:
        return _empirical(data, median, n)
    logs = np.log(data)
    mu, sigma = float(logs.mean()), float(logs.std())
    mean = float(data.mean())
    aic_lognormal = 4 - 2 * float(stats.lognorm.logpdf(data, sigma, scale=math.exp(mu)).sum())
    aic_exponential = 2 - 2 * float(stats.expon.logpdf(data, scale=mean).sum())
    if aic_exponential <= aic_lognormal:
        return StepDist(kind="exponential", params={"mean": mean}, median=median, n=n)
    if abs(math.exp(mu + sigma**2 / 2) - mean) > MEAN_TOLERANCE * mean:
        return _empirical(data, median, n, MANY_QUANTILES)
    return StepDist(kind="lognormal", params={"mu": mu, "sigma": sigma}, median=median, n=n)


def _empirical(data: np.ndarray, median: float, n: int, points: int = QUANTILES) -> StepDist:
    cuts = np.quantile(data, np.linspace(0, 1, points))
    quantiles = [float(q) for q in cuts]
    return StepDist(kind="empirical", params={"quantiles": quantiles}, median=median, n=n)


def fit_left_censored(exact: list[float], bounds: list[float]) -> StepDist | None:
    """`fit_step` of times some of which are known only to be at most a bound (`bounds`:
    left-censored, as a pickup delay that was over when the agent freed and took the request).
    Leaving them out would keep the long times and drop the short ones. The distribution is
    the Kaplan-Meier estimate for left-censored times (scipy's `ecdf` of the negated times, right-
    censored), whose mass below every time seen goes to half the shortest; the fit is made on
    its quantiles at as many points as observations. With too few exact times, None."""
    if not bounds or len(exact) < EMPIRICAL_MIN:
        return fit_step(exact)
    negated = stats.CensoredData(
        uncensored=-np.asarray(exact, dtype=float), right=-np.asarray(bounds, dtype=float)
    )
    cdf = stats.ecdf(negated).cdf
    # Masses at the exact times (the censored points add none), longest first.
    masses = np.diff(np.concatenate([[0.0], cdf.probabilities]))
    times = -cdf.quantiles
    below = 1.0 - float(cdf.probabilities[-1])
    shortest = float(min(min(exact), min(bounds))) / 2
    values = np.concatenate([times[masses > 0], [shortest]])
    weights = np.concatenate([masses[masses > 0], [below]])
    order = np.argsort(values)
    values, cumulative = values[order], np.cumsum(weights[order])
    n = len(exact) + len(bounds)
    points = (np.arange(n) + 0.5) / n
    positions = np.minimum(np.searchsorted(cumulative, points * cumulative[-1]), len(values) - 1)
    return fit_step([float(v) for v in values[positions]])
