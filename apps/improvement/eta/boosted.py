"""One predictor, three answers: gradient-boosted trees (scikit-learn's HistGradientBoosting) on
the prefix encoding give the next step (the end of the case included), the remaining time's
P50 and P90 (quantile loss) and the risk of missing the resolution deadline; and the features
that raise a risk most, in words an agent can read.

scikit-learn and numpy are imported inside the functions: the admin and the web processes import
this module through eta.scoring and should not hold them until a model is used
(tests/servicedesk/test_startup_imports.py)."""

import pickle
import random
from collections.abc import Sequence
from dataclasses import dataclass

from apps.improvement.eta import fitting, guard
from apps.improvement.eta.encoding import Encoder
from apps.improvement.eta.fitting import SEED
from apps.improvement.eta.office import OfficeHours
from apps.improvement.eta.traces import Sample

# A cap on the prefixes each tree ensemble learns from (drawn at random, seeded): past it the
# fit grows slower and hardly better (docs/improvement.md, "Speed").
MAX_ROWS = 300_000
HOUR = 3600.0
# Cases in the latest fifth of the training log needed to calibrate on it.
CALIBRATION_CASES = 100
CALIBRATION_ROWS = 30_000

# Smaller, fuller leaves for the next step: with many classes the default trees learnt noise
# (generated history: accuracy 0.857 -> 0.865, the Markov chain 0.866).
NEXT_PARAMS = {"max_leaf_nodes": 8, "min_samples_leaf": 50}


@dataclass
class Predictions:
    next_activity: list[str]
    p50: list[float]
    p90: list[float]
    risk: list[float | None]


def labels_of(samples: Sequence[Sample]) -> list[int | None]:
    """Whether each sample's case missed its resolution deadline (None: not known)."""
    return [None if s.trace.breached is None else int(s.trace.breached) for s in samples]


class BoostedModel:
    """Fitted with `fit`; stored pickled (`dumps`/`loads`) on the `EtaModel` row."""

    def __init__(self, encoder: Encoder, parts: dict):
        self.encoder = encoder
        self.parts = parts

    @classmethod
    def fit(
        cls,
        samples: Sequence[Sample],
        *,
        zone: str = "UTC",
        max_rows: int = MAX_ROWS,
        hours: OfficeHours | None = None,
    ) -> "BoostedModel":
        """`hours`: the desk's office hours (eta/office.py), None for an imported log."""
        with fitting.limited_threads():
            return cls._fit(samples, zone=zone, max_rows=max_rows, hours=hours)

    @classmethod
    def _fit(
        cls, samples: Sequence[Sample], *, zone: str, max_rows: int, hours: OfficeHours | None
    ) -> "BoostedModel":
        import numpy as np

        if not samples:
            raise ValueError("No prefixes to learn from.")
        chosen = list(samples)
        if len(chosen) > max_rows:
            chosen = random.Random(SEED).sample(chosen, max_rows)
        encoder = Encoder.fit(chosen, zone=zone, hours=hours)
        x = matrix(encoder, chosen)
        # A column with no value at all (no deadlines, no resources) cannot be binned.
        x[:, np.isnan(x).all(axis=0)] = 0.0
        remaining = np.array([s.remaining_seconds for s in chosen], dtype=float)
        parts = {
            "next": fitting.classifier(
                encoder, x, [s.next_activity for s in chosen], **NEXT_PARAMS
            ),
            "p50": fitting.quantile(encoder, x, np.log1p(remaining / HOUR), 0.5),
            "p90": fitting.quantile(encoder, x, np.log1p(remaining / HOUR), 0.9),
            "log_hours": True,
        }
        labels = labels_of(chosen)
        known = [n for n, y in enumerate(labels) if y is not None]
        parts["breach"] = fitting.classifier(encoder, x[known], [labels[n] for n in known])
        parts.update(_calibration(encoder, x, chosen, labels))
        model = cls(encoder, parts)
        with_reference(model, x)
        return model

    def predict_rows(self, x) -> Predictions:
        with fitting.limited_threads():
            return self._predict_rows(x)

    def _predict_rows(self, x) -> Predictions:
        import numpy as np

        p50 = np.maximum(self._remaining(self.parts["p50"], x), 0.0)
        naive = self.parts.get("naive")
        if naive is not None:
            p50 = guard.guarded_remaining(
                p50, naive, self.parts["remaining_choice"], *self._codes_and_lengths(x)
            )
        p90 = self._remaining(self.parts["p90"], x, shift=self.parts.get("p90_shift", 0.0))
        p90 = np.maximum(p90, p50)
        breach = self.parts["breach"]
        risk = fitting.probability_of(breach, x, 1) if breach is not None else [None] * len(x)
        isotonic = self.parts.get("isotonic")
        if isotonic is not None:
            risk = isotonic.predict(risk)
        return Predictions(
            next_activity=self._next(x),
            p50=p50.tolist(),
            p90=p90.tolist(),
            risk=list(risk),
        )

    def _next(self, x) -> list[str]:
        """The trees' next step after the last activities where they beat the Markov chain on
        the held-out fifth, when surer of it than of the chain's by that activity's margin;
        else the chain's (eta/guard.py)."""
        chain, trees = self.parts.get("chain"), self.parts["next"]
        if chain is None or not hasattr(trees, "predict_proba"):
            return [str(a) for a in fitting.predict(trees, x)]
        margins = self.parts.get("margins")
        codes, _lengths = self._codes_and_lengths(x)
        if margins is None:  # a model stored with one margin for every activity
            margin = self.parts["margin"]
            margins = dict.fromkeys(chain, margin if margin <= 1 else None)
        return guard.overruled(
            trees.predict_proba(x),
            trees.classes_,
            codes,
            chain,
            margins,
            recent=self.parts.get("recent_chain"),
        )

    def _codes_and_lengths(self, x):
        names = self.encoder.names
        return x[:, names.index("last_activity")], x[:, names.index("prefix_length")]

    def _remaining(self, part, x, shift: float = 0.0):
        """Remaining seconds: the quantiles are learnt on log(1 + hours), where the factors
        that stretch a case's time (load, category, priority) add up; a quantile survives the
        monotone transformation. (Models fitted before learnt seconds directly.)"""
        import numpy as np

        found = fitting.predict(part, x)
        return np.expm1(found + shift) * HOUR if self.parts.get("log_hours") else found

    def predict(self, samples: Sequence[Sample]) -> Predictions:
        return self.predict_rows(matrix(self.encoder, samples))

    def explain(self, row, *, top: int = 3) -> list[dict]:
        """The features that raise this row's breach risk most, against the typical training row
        (median numbers, most frequent codes): a feature's share is the larger of the rise when
        the typical row takes this row's value and the drop when this row takes the typical
        value (activity counts taken together). Returns [{"feature", "value", "raises_by"}],
        largest first, shares above 1 point only."""
        import numpy as np

        breach, reference = self.parts["breach"], self.parts.get("reference")
        if breach is None or reference is None:
            return []
        row = np.asarray(row, dtype=float)
        groups = list(_groups(self.encoder.names).items())
        added = np.repeat(reference[None, :].astype(float), len(groups) + 1, axis=0)
        removed = np.repeat(row[None, :], len(groups) + 1, axis=0)
        for n, (_label, columns) in enumerate(groups, start=1):
            added[n, columns] = row[columns]
            removed[n, columns] = reference[columns]
        rises = fitting.probability_of(breach, added, 1)
        drops = fitting.probability_of(breach, removed, 1)
        out = []
        for n, (label, columns) in enumerate(groups, start=1):
            share = max(float(rises[n] - rises[0]), float(drops[0] - drops[n]))
            if share > 0.01:
                value = self.encoder.describe(label, row[columns[0]]) if len(columns) == 1 else None
                out.append({"feature": label, "value": value, "raises_by": round(share, 3)})
        out.sort(key=lambda item: -float(item["raises_by"] or 0.0))
        return out[:top]

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(blob: bytes) -> "BoostedModel":
        # Only ever our own pickles, read back from our own database.
        return pickle.loads(blob)


def matrix(encoder: Encoder, samples: Sequence[Sample]):
    """The encoded rows of `samples`, one trace encoded once for all its prefixes."""
    import numpy as np

    order: dict[int, list[int]] = {}
    for n, sample in enumerate(samples):
        order.setdefault(id(sample.trace), []).append(n)
    x = np.empty((len(samples), len(encoder.names)), dtype=np.float32)
    for positions in order.values():
        positions.sort(key=lambda n: samples[n].index)
        trace = samples[positions[0]].trace
        rows = encoder.rows(trace, [samples[n].index for n in positions])
        x[positions] = rows
    encoder.fill_office_hours(x, [s.at for s in samples], [s.trace.start for s in samples])
    return x


def with_reference(model: BoostedModel, x) -> None:
    """Remember the typical training row (median numbers, most frequent codes) for `explain`."""
    import warnings

    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a column without any value
        reference = np.nanmedian(x, axis=0)
    for column, categorical in enumerate(model.encoder.categorical):
        if categorical:
            values, counts = np.unique(x[:, column][~np.isnan(x[:, column])], return_counts=True)
            reference[column] = values[counts.argmax()] if len(values) else np.nan
    model.parts["reference"] = reference


def _groups(names: list[str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for column, name in enumerate(names):
        label = "activity_counts" if name.startswith("count:") else name
        groups.setdefault(label, []).append(column)
    return groups


def _calibration(encoder: Encoder, x, chosen: Sequence[Sample], labels: list) -> dict:
    """Calibrate the breach risk and the P90 on the latest fifth of the training cases (by
    start), with the breach classifier and the P90 refitted on the earlier four fifths: an
    isotonic map from risk to the observed breach share ("isotonic"), and the shift of the
    log-hours P90 that makes nine in ten of those prefixes end before it ("p90_shift").
    The refits learn from at most CALIBRATION_ROWS prefixes (drawn, seeded), so they add a
    fraction of the fit's time on a large log. Nothing with fewer than CALIBRATION_CASES cases
    in that fifth, or no breach in it."""
    import numpy as np
    from sklearn.isotonic import IsotonicRegression

    starts = sorted({(s.trace.start, s.trace.case) for s in chosen})
    if len(starts) < 5 * CALIBRATION_CASES:
        return {}
    cut = starts[len(starts) * 4 // 5]
    late = np.array([(s.trace.start, s.trace.case) >= cut for s in chosen])
    hours = np.log1p(np.array([s.remaining_seconds for s in chosen], dtype=float) / HOUR)
    fit = _drawn(~late)
    p90 = fitting.quantile(encoder, x[fit], hours[fit], 0.9)
    found = {"p90_shift": float(np.quantile(hours[late] - p90.predict(x[late]), 0.9))}
    known = np.array([y is not None for y in labels])
    y = np.array([y or 0 for y in labels])
    early, held = fit & known, late & known
    if 0 < y[early].sum() < early.sum() and 0 < y[held].sum() < held.sum():
        breach = fitting.classifier(encoder, x[early], y[early].tolist())
        isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        found["isotonic"] = isotonic.fit(fitting.probability_of(breach, x[held], 1), y[held])
    nexts = np.array([s.next_activity for s in chosen], dtype=object)
    fourth = np.array(
        [starts[len(starts) * 3 // 5] <= (s.trace.start, s.trace.case) for s in chosen]
    )
    splits = [(fit, late), (_drawn(fit & ~fourth), fourth & ~late)]
    keys = [(s.trace.start, s.trace.case) for s in chosen]
    found.update(_next_step_guard(encoder, x, nexts, splits, keys))
    found.update(_remaining_guard(encoder, x, hours, fit, late))
    return found


def _next_step_guard(encoder: Encoder, x, nexts, splits: list[tuple], keys: list) -> dict:
    """The margin per last activity by which the trees must be surer of their next step than
    of the first-order Markov chain's to overrule it (None: never), chosen on the held-out
    slices (the latest fifth of the training cases and the fourth, each with the trees and the
    chain learnt from the cases before it; eta/guard.py), or RECENT: the recent chain (learnt
    from the latest cases before the slice). Returns {"margins", "chain": {last-activity code:
    the chain's answer from all prefixes}, "recent_chain": the same from the latest cases}.
    (On imported copies of the generated history, without category and channel, the trees
    alone lost 0.3 to 0.9 points to the chain, guessing from noise.)"""
    import numpy as np

    codes = x[:, encoder.names.index("last_activity")]
    cases = np.empty(len(keys), dtype=object)  # the (start, case) tuples kept whole
    cases[:] = keys
    slices = []
    for fit, held in splits:
        trees = fitting.classifier(encoder, x[fit], nexts[fit].tolist(), **NEXT_PARAMS)
        if not hasattr(trees, "predict_proba") or not held.any():
            continue
        chain = guard.chain_of(codes[fit], nexts[fit])
        probabilities = trees.predict_proba(x[held])
        recent = guard.recent_chain(codes, nexts, cases, fit)
        slices.append((probabilities, trees.classes_, codes[held], nexts[held], chain, recent))
    if not slices:
        return {}
    return {
        "margins": guard.next_step_margins(slices),
        "chain": guard.chain_of(codes, nexts),
        "recent_chain": guard.recent_chain(codes, nexts, cases, np.ones(len(codes), dtype=bool)),
    }


def _drawn(rows):
    """At most CALIBRATION_ROWS of the marked rows, drawn (seeded), as a mask."""
    import numpy as np

    found = np.flatnonzero(rows)
    if len(found) > CALIBRATION_ROWS:
        found = np.random.default_rng(SEED).choice(found, CALIBRATION_ROWS, replace=False)
    mask = np.zeros(len(rows), dtype=bool)
    mask[found] = True
    return mask


def _remaining_guard(encoder: Encoder, x, hours, fit, late) -> dict:
    """Which last activities take a naive remaining time instead of the P50 (it beat the P50
    clearly on the held-out fifth, the P50 learnt from the earlier four fifths), and the naive
    answers from all prefixes. Returns {"naive", "remaining_choice"}."""
    import numpy as np

    codes = x[:, encoder.names.index("last_activity")]
    lengths = x[:, encoder.names.index("prefix_length")]
    seconds = np.expm1(hours) * HOUR
    p50 = fitting.quantile(encoder, x[fit], hours[fit], 0.5)
    choice = guard.remaining_choice(
        np.maximum(np.expm1(p50.predict(x[late])) * HOUR, 0.0),
        guard.naive_remaining(codes[fit], lengths[fit], seconds[fit]),
        codes[late],
        lengths[late],
        seconds[late],
    )
    return {"naive": guard.naive_remaining(codes, lengths, seconds), "remaining_choice": choice}
