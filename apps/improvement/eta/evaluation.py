"""An honest test of the ETA model: train on the earlier cases of a log, test on every prefix of
the later ones, and set its figures beside the naive baselines' and the former empirical
model's, micro-averaged and per prefix length."""

from collections import defaultdict
from collections.abc import Sequence
from statistics import median

from apps.improvement.eta.baselines import Baselines
from apps.improvement.eta.boosted import BoostedModel
from apps.improvement.eta.context import attach_load
from apps.improvement.eta.model import EmpiricalModel
from apps.improvement.eta.office import OfficeHours
from apps.improvement.eta.traces import Sample, Trace, chronological_split, samples

DEFAULT_SHARE = 0.7
DAY = 86400.0


def prepare(
    traces: list[Trace], *, share: float, target_seconds: float | None = None
) -> tuple[list[Trace], list[Trace], float | None]:
    """Attach the open work to every step (all cases, finished or not), split the finished
    cases by start, and give the cases without a resolution clock (an imported log) a
    deadline: `target_seconds` after their start (default: the median duration of the
    training cases), breached when they end later. Returns (train, test, that target)."""
    attach_load(traces)
    train, test = chronological_split(traces, share)
    if not train or not test:
        raise ValueError("Too few finished cases to split into a training and a test part.")
    if target_seconds is None and any(t.target_seconds is None for t in train):
        target_seconds = median((t.end - t.start).total_seconds() for t in train)
    for trace in (*train, *test):
        if trace.target_seconds is None and target_seconds is not None:
            trace.target_seconds = target_seconds
            trace.breached = (trace.end - trace.start).total_seconds() > target_seconds
    return train, test, target_seconds


def evaluate(
    traces: list[Trace],
    *,
    share: float = DEFAULT_SHARE,
    target_seconds: float | None = None,
    min_samples: int = 5,
    zone: str = "UTC",
    hours: OfficeHours | None = None,
) -> dict:
    """Fit on the training cases' prefixes, predict every prefix of the test cases, and measure
    next-step accuracy, remaining-time MAE (days) and P90 coverage, and breach risk (Brier, AUC,
    calibration in deciles) for the model, the empirical model and the baselines. `hours`:
    the desk's office hours (eta/office.py; None for an imported log)."""
    train, test, target = prepare(traces, share=share, target_seconds=target_seconds)
    train_samples, test_samples = list(samples(train)), list(samples(test))
    boosted = BoostedModel.fit(train_samples, zone=zone, hours=hours)
    empirical = EmpiricalModel.fit(train_samples, min_samples=min_samples)
    baselines = Baselines(train_samples)
    predicted = boosted.predict(test_samples)
    lengths = [s.length for s in test_samples]
    nexts: dict[str, list] = {"model": predicted.next_activity, "empirical": []}
    remaining: dict[str, list] = {"model": predicted.p50, "empirical": []}
    risks: dict[str, list] = {"model": predicted.risk, "empirical": []}
    for sample in test_samples:
        _add(nexts, baselines.next_step(sample))
        _add(remaining, baselines.remaining(sample))
        _add(risks, baselines.breach(sample))
        nexts["empirical"].append(empirical.next_activity(sample.features))
        remaining["empirical"].append(empirical.remaining_seconds(sample.features) or 0.0)
        risk = empirical.breach_risk(sample.features, _left(sample))
        risks["empirical"].append(0.5 if risk is None else risk)
    truth_next = [s.next_activity for s in test_samples]
    truth_remaining = [s.remaining_seconds for s in test_samples]
    labelled = [n for n, s in enumerate(test_samples) if s.trace.breached is not None]
    labels = [int(test_samples[n].trace.breached) for n in labelled]
    return {
        "cases": {"train": len(train), "test": len(test)},
        "prefixes": {"train": len(train_samples), "test": len(test_samples)},
        "split_at": test[0].start.isoformat(),
        "target_seconds": target,
        "breach_rate": sum(labels) / len(labels) if labels else None,
        "next_step": {k: _accuracy(v, truth_next, lengths) for k, v in nexts.items()},
        "remaining": {k: _mae(v, truth_remaining, lengths) for k, v in remaining.items()},
        "p90_coverage": _share_below(truth_remaining, predicted.p90),
        "breach": {
            k: _breach([v[n] for n in labelled], labels) for k, v in risks.items() if labels
        },
    }


def _add(columns: dict[str, list], answers: dict) -> None:
    for name, value in answers.items():
        columns.setdefault(name, []).append(value)


def _left(sample: Sample) -> float:
    """Seconds left to the deadline at the prefix (business seconds on the desk)."""
    step = sample.trace.steps[sample.index]
    used = step.clock_used
    if used is None:
        used = (step.at - sample.trace.start).total_seconds()
    return (sample.trace.target_seconds or 0.0) - used


def _by_length(values: Sequence[float], lengths: Sequence[int]) -> dict[int, dict]:
    groups: dict[int, list[float]] = defaultdict(list)
    for value, length in zip(values, lengths, strict=True):
        groups[length].append(value)
    return {
        length: {"count": len(found), "mean": sum(found) / len(found)}
        for length, found in sorted(groups.items())
    }


def _accuracy(predicted: list, truth: list, lengths: list[int]) -> dict:
    hits = [float(p == t) for p, t in zip(predicted, truth, strict=True)]
    return {"accuracy": sum(hits) / len(hits), "by_length": _by_length(hits, lengths)}


def _mae(predicted: list, truth: list, lengths: list[int]) -> dict:
    errors = [abs(p - t) / DAY for p, t in zip(predicted, truth, strict=True)]
    return {"mae_days": sum(errors) / len(errors), "by_length": _by_length(errors, lengths)}


def _share_below(truth: list[float], bound: list[float]) -> float:
    return sum(t <= b for t, b in zip(truth, bound, strict=True)) / len(truth)


def _breach(risks: list[float], labels: list[int]) -> dict:
    # Imported here: a process that never evaluates should not hold scikit-learn.
    from sklearn.metrics import roc_auc_score

    n = len(labels)
    return {
        "brier": sum((r - y) ** 2 for r, y in zip(risks, labels, strict=True)) / n,
        "auc": float(roc_auc_score(labels, risks)) if 0 < sum(labels) < n else None,
        "calibration": _deciles(risks, labels),
    }


def _deciles(risks: list[float], labels: list[int]) -> list[dict]:
    """Predicted against observed breach share in ten bands of predicted risk (0-10 %, ...)."""
    bands: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for risk, label in zip(risks, labels, strict=True):
        bands[min(int(risk * 10), 9)].append((risk, label))
    return [
        {
            "band": f"{band * 10}-{band * 10 + 10}%",
            "count": len(rows),
            "predicted": sum(r for r, _y in rows) / len(rows),
            "observed": sum(y for _r, y in rows) / len(rows),
        }
        for band, rows in sorted(bands.items())
    ]
