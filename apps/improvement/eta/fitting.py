"""Fitting the trees: scikit-learn's HistGradientBoosting with the desk's parameters, on a
limited number of OpenMP threads, and reading them back (a part may be a constant where there
was only one class to learn). scikit-learn and numpy are imported inside the functions
(boosted.py says why)."""

from apps.improvement.eta.encoding import Encoder

# The trees' seed (and the draws of boosted.py).
SEED = 2026
# Early stopping on a tenth held out (past EARLY prefixes): most fits stop before max_iter.
EARLY = 10_000
PARAMS = {
    "max_iter": 100,
    "learning_rate": 0.1,
    "max_leaf_nodes": 31,
    "validation_fraction": 0.1,
    "n_iter_no_change": 5,
    "random_state": SEED,
}
# The median's leaves on a log past EARLY prefixes (quantile below).
P50_LEAF = 100


def threads() -> int:
    """OpenMP threads for fitting and predicting (setting SERVICEDESK_ETA_THREADS, 1): on a
    shared or busy machine more threads than free cores make the trees several times slower
    (measured: a test fit took 28 s with 2 threads on 2 busy cores, 6 s with 1)."""
    from django.conf import settings

    return int(getattr(settings, "SERVICEDESK_ETA_THREADS", 1))


def limited_threads():
    # threadpoolctl limits only the libraries already loaded: load scikit-learn's OpenMP first
    # (without it the limit silently did nothing: 37 s instead of 1.7 s for one fit).
    import sklearn.ensemble  # noqa: F401 (loads the OpenMP runtime the limit applies to)
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    return threadpool_limits(limits=threads(), user_api="openmp")


def classifier(encoder: Encoder, x, y: list, **extra):
    """A classifier, or the one class itself when there is only one (or nothing) to learn."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    if len(set(y)) < 2:
        return y[0] if y else None
    model = HistGradientBoostingClassifier(
        categorical_features=encoder.categorical,
        early_stopping=len(y) > EARLY,
        **{**PARAMS, **extra},
    )
    return model.fit(x, y)


def quantile(encoder: Encoder, x, y, quantile: float):
    from sklearn.ensemble import HistGradientBoostingRegressor

    # The median's leaves hold at least P50_LEAF prefixes on a log past EARLY (the default 20
    # learnt noise: MAE 0.3 to 0.5 points of gain lower on three generated histories).
    fuller = {"min_samples_leaf": P50_LEAF} if quantile == 0.5 and len(y) > EARLY else {}
    model = HistGradientBoostingRegressor(
        loss="quantile",
        quantile=quantile,
        categorical_features=encoder.categorical,
        early_stopping=len(y) > EARLY,
        **{**PARAMS, **fuller},
    )
    return model.fit(x, y)


def predict(part, x):
    import numpy as np

    if hasattr(part, "predict"):
        return part.predict(x)
    return np.full(len(x), part, dtype=object if isinstance(part, str) else float)


def probability_of(part, x, label):
    import numpy as np

    if not hasattr(part, "predict_proba"):
        return np.full(len(x), 1.0 if part == label else 0.0)
    classes = list(part.classes_)
    return part.predict_proba(x)[:, classes.index(label)]
