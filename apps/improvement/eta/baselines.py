"""The naive predictors every model must beat, fitted on the training prefixes: the most
frequent next step, the first-order Markov chain (the most frequent next step after the last
activity), the mean remaining time per prefix length, the median remaining time per last
activity, and the breach rate per last activity."""

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from statistics import fmean, median

from apps.improvement.eta.traces import Sample


def _last(sample: Sample) -> str:
    return sample.trace.steps[sample.index].activity


def _by(samples: Sequence[Sample], key: Callable, value: Callable) -> dict:
    groups: dict = defaultdict(list)
    for sample in samples:
        groups[key(sample)].append(value(sample))
    return groups


class Baselines:
    """Each baseline answers for a test sample; unseen groups fall back to the whole log."""

    def __init__(self, samples: Sequence[Sample]):
        counts = Counter(s.next_activity for s in samples)
        self.most_frequent = counts.most_common(1)[0][0] if counts else None
        self.markov = {
            last: Counter(nexts).most_common(1)[0][0]
            for last, nexts in _by(samples, _last, lambda s: s.next_activity).items()
        }
        remaining = [s.remaining_seconds for s in samples]
        self.mean_all = fmean(remaining) if remaining else 0.0
        self.median_all = median(remaining) if remaining else 0.0
        self.mean_by_length = {
            length: fmean(values)
            for length, values in _by(samples, lambda s: s.length, _remaining).items()
        }
        self.median_by_last = {
            last: median(values) for last, values in _by(samples, _last, _remaining).items()
        }
        flags = _by([s for s in samples if s.trace.breached is not None], _last, _breached)
        everything = [f for values in flags.values() for f in values]
        self.rate_all = fmean(everything) if everything else 0.0
        self.rate_by_last = {last: fmean(values) for last, values in flags.items()}

    def next_step(self, sample: Sample) -> dict[str, str | None]:
        return {
            "most_frequent": self.most_frequent,
            "markov": self.markov.get(_last(sample), self.most_frequent),
        }

    def remaining(self, sample: Sample) -> dict[str, float]:
        return {
            "mean_by_length": self.mean_by_length.get(sample.length, self.mean_all),
            "median_by_last_activity": self.median_by_last.get(_last(sample), self.median_all),
        }

    def breach(self, sample: Sample) -> dict[str, float]:
        return {"rate_by_last_activity": self.rate_by_last.get(_last(sample), self.rate_all)}


def _remaining(sample: Sample) -> float:
    return sample.remaining_seconds


def _breached(sample: Sample) -> int:
    return int(bool(sample.trace.breached))
