"""The ETA model: empirical distributions of the remaining time and of the next step, by state,
department, priority, category and elapsed time, backing off to coarser groups; and the naive
baselines it must beat."""

from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median

from apps.improvement.eta.traces import Features, Sample

# From the most specific group to the whole log; the first with enough samples answers.
LEVELS: tuple[tuple[str, ...], ...] = (
    ("state", "department", "priority", "category", "bucket"),
    ("state", "department", "priority", "bucket"),
    ("state", "department", "bucket"),
    ("state", "bucket"),
    ("state",),
    (),
)
NAIVE_LEVELS: tuple[tuple[str, ...], ...] = (("state",), ())
# The stored distribution: the remaining time at every 5th percentile.
QUANTILES = [q / 20 for q in range(21)]
MIN_SAMPLES = 5


def _key(features: Features, level: tuple[str, ...]) -> str:
    return "|".join(str(features.value(name)) for name in level)


def _quantiles(values: list[float]) -> list[float]:
    ordered = sorted(values)
    last = len(ordered) - 1
    out = []
    for q in QUANTILES:
        position = q * last
        low = int(position)
        high = min(low + 1, last)
        out.append(ordered[low] + (ordered[high] - ordered[low]) * (position - low))
    return out


def _exceeds(quantiles: list[float], seconds: float) -> float:
    """P(remaining > seconds) read off the stored quantiles (linear between them)."""
    if seconds <= quantiles[0]:
        return 1.0
    if seconds >= quantiles[-1]:
        return 0.0
    i = bisect_left(quantiles, seconds)
    low, high = quantiles[i - 1], quantiles[i]
    share = QUANTILES[i - 1] + (QUANTILES[i] - QUANTILES[i - 1]) * (
        (seconds - low) / (high - low) if high > low else 1.0
    )
    return 1.0 - share


@dataclass
class Group:
    count: int
    quantiles: list[float]
    next_activity: str
    next_share: float


class EmpiricalModel:
    """Fitted on prefix samples; `params` is its JSON form (what `EtaModel` stores)."""

    def __init__(self, params: dict):
        self.params = params
        self.levels = [tuple(level) for level in params["levels"]]
        self.groups = [
            {key: Group(**group) for key, group in table.items()} for table in params["groups"]
        ]

    @classmethod
    def fit(
        cls,
        samples: Iterable[Sample],
        *,
        levels=LEVELS,
        min_samples: int = MIN_SAMPLES,
    ) -> "EmpiricalModel":
        remaining = [defaultdict(list) for _ in levels]
        following = [defaultdict(Counter) for _ in levels]
        total = 0
        for sample in samples:
            total += 1
            for i, level in enumerate(levels):
                key = _key(sample.features, level)
                remaining[i][key].append(sample.remaining_seconds)
                following[i][key][sample.next_activity] += 1
        groups = []
        for i, level in enumerate(levels):
            table = {}
            for key, values in remaining[i].items():
                if len(values) < min_samples and level:
                    continue
                activity, count = following[i][key].most_common(1)[0]
                table[key] = {
                    "count": len(values),
                    "quantiles": _quantiles(values),
                    "next_activity": activity,
                    "next_share": count / len(values),
                }
            groups.append(table)
        return cls({"levels": [list(lv) for lv in levels], "groups": groups, "samples": total})

    def group(self, features: Features) -> Group | None:
        for level, table in zip(self.levels, self.groups, strict=True):
            found = table.get(_key(features, level))
            if found is not None:
                return found
        return None

    def remaining_seconds(self, features: Features) -> float | None:
        """The median remaining time of the group the features fall in."""
        group = self.group(features)
        return group.quantiles[10] if group else None

    def next_activity(self, features: Features) -> str | None:
        group = self.group(features)
        return group.next_activity if group else None

    def breach_risk(self, features: Features, left_seconds: float) -> float | None:
        """The probability that the case needs more than `left_seconds` (until its deadline)."""
        group = self.group(features)
        if group is None:
            return None
        return 1.0 if left_seconds <= 0 else _exceeds(group.quantiles, left_seconds)


class NaiveModel:
    """The baselines: the median remaining time of the state, the most frequent next step of
    the whole log, and the breach rate of the state (whatever the time left)."""

    def __init__(self, samples: list[Sample], deadline_of):
        by_state: dict[str, list[float]] = defaultdict(list)
        breaches: dict[str, list[int]] = defaultdict(list)
        for sample in samples:
            by_state[sample.features.state].append(sample.remaining_seconds)
            breaches[sample.features.state].append(int(_breached(sample, deadline_of)))
        self.medians = {state: median(values) for state, values in by_state.items()}
        everything = [s.remaining_seconds for s in samples]
        self.overall = median(everything) if everything else 0.0
        self.rates = {state: sum(flags) / len(flags) for state, flags in breaches.items()}
        flags = [flag for values in breaches.values() for flag in values]
        self.overall_rate = sum(flags) / len(flags) if flags else 0.0
        counts = Counter(s.next_activity for s in samples)
        self.most_frequent = counts.most_common(1)[0][0] if counts else None

    def remaining_seconds(self, features: Features) -> float:
        return self.medians.get(features.state, self.overall)

    def next_activity(self, features: Features) -> str | None:
        return self.most_frequent

    def breach_risk(self, features: Features, left_seconds: float) -> float:
        return self.rates.get(features.state, self.overall_rate)


def _breached(sample: Sample, deadline_of) -> bool:
    deadline = deadline_of(sample)
    return (
        deadline is not None
        and (sample.at - deadline).total_seconds() + (sample.remaining_seconds) > 0
    )
