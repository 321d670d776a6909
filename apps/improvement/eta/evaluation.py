"""An honest test of the ETA model: train on the earlier cases of a log, test on the later ones,
and set its figures beside the naive baselines'."""

from collections import defaultdict
from datetime import timedelta
from statistics import median

from apps.improvement.eta.model import EmpiricalModel, NaiveModel
from apps.improvement.eta.traces import Sample, Trace, chronological_split, samples

DEFAULT_SHARE = 0.7


def evaluate(
    traces: list[Trace],
    *,
    share: float = DEFAULT_SHARE,
    target_seconds: float | None = None,
    min_samples: int = 5,
) -> dict:
    """Split the finished cases by start (`share` to train), fit the model and the baselines on
    the training prefixes, and measure both on the test prefixes: remaining-time MAE per prefix
    length and overall, next-step accuracy, and the breach risk's Brier score and AUC, a breach
    being a case that ends more than `target_seconds` after it started (default: the median
    duration of the training cases)."""
    train, test = chronological_split(traces, share)
    if not train or not test:
        raise ValueError("Too few finished cases to split into a training and a test part.")
    if target_seconds is None:
        target_seconds = median((t.end - t.start).total_seconds() for t in train)
    target = timedelta(seconds=target_seconds)

    def deadline_of(sample: Sample):
        return sample.start + target

    train_samples = list(samples(train))
    test_samples = list(samples(test))
    models = {
        "model": EmpiricalModel.fit(train_samples, min_samples=min_samples),
        "baseline": NaiveModel(train_samples, deadline_of),
    }
    report = {
        "cases": {"train": len(train), "test": len(test)},
        "prefixes": {"train": len(train_samples), "test": len(test_samples)},
        "split_at": test[0].start.isoformat(),
        "target_seconds": target_seconds,
        "breach_rate": None,
    }
    labels = [int(_ends_after(s, deadline_of(s))) for s in test_samples]
    report["breach_rate"] = sum(labels) / len(labels) if labels else None
    for name, model in models.items():
        report[name] = _measure(model, test_samples, labels, deadline_of)
    return report


def _ends_after(sample: Sample, deadline) -> bool:
    return sample.at + timedelta(seconds=sample.remaining_seconds) > deadline


def _measure(model, test_samples: list[Sample], labels: list[int], deadline_of) -> dict:
    # Imported here: the admin and the worker import this module through eta.scoring, and a
    # process that never evaluates should not hold scikit-learn
    # (tests/servicedesk/test_startup_imports.py).
    from sklearn.metrics import roc_auc_score

    errors_by_length: dict[int, list[float]] = defaultdict(list)
    hits = 0
    risks = []
    for sample in test_samples:
        predicted = model.remaining_seconds(sample.features)
        predicted = 0.0 if predicted is None else predicted
        errors_by_length[sample.length].append(abs(predicted - sample.remaining_seconds))
        hits += model.next_activity(sample.features) == sample.next_activity
        left = (deadline_of(sample) - sample.at).total_seconds()
        risk = model.breach_risk(sample.features, left)
        risks.append(0.5 if risk is None else risk)
    errors = [e for values in errors_by_length.values() for e in values]
    n = len(test_samples)
    return {
        "mae_seconds": sum(errors) / n if n else None,
        "mae_by_length": {
            length: {"count": len(values), "mae_seconds": sum(values) / len(values)}
            for length, values in sorted(errors_by_length.items())
        },
        "next_step_accuracy": hits / n if n else None,
        "brier": sum((r - y) ** 2 for r, y in zip(risks, labels, strict=True)) / n if n else None,
        "auc": roc_auc_score(labels, risks) if 0 < sum(labels) < n else None,
    }


def format_report(report: dict, *, max_length: int = 15) -> list[str]:
    """The report as lines of text: MAE in days and hours per prefix length (longer prefixes
    pooled in the last row), then the overall figures, the model beside the baseline."""
    model, baseline = report["model"], report["baseline"]
    lines = [
        f"cases: {report['cases']['train']} train / {report['cases']['test']} test "
        f"(test cases start from {report['split_at']}); prefixes: "
        f"{report['prefixes']['train']} / {report['prefixes']['test']}",
        f"breach = resolved later than {_duration(report['target_seconds'])} after the start; "
        f"test breach rate {_share(report['breach_rate'])}",
        "",
        f"{'prefix':>8} {'n':>7} {'model MAE':>14} {'baseline MAE':>14}",
    ]
    pooled = _pool(model["mae_by_length"], baseline["mae_by_length"], max_length)
    for label, count, ours, theirs in pooled:
        lines.append(f"{label:>8} {count:>7} {_duration(ours):>14} {_duration(theirs):>14}")
    lines += [
        f"{'all':>8} {report['prefixes']['test']:>7} {_duration(model['mae_seconds']):>14} "
        f"{_duration(baseline['mae_seconds']):>14}",
        "",
        f"{'':24} {'model':>10} {'baseline':>10}",
    ]
    for label, key in (
        ("next-step accuracy", "next_step_accuracy"),
        ("breach risk Brier", "brier"),
        ("breach risk AUC", "auc"),
    ):
        lines.append(f"{label:24} {_number(model[key]):>10} {_number(baseline[key]):>10}")
    return lines


def _pool(ours: dict, theirs: dict, max_length: int) -> list[tuple]:
    rows, tail = [], {"count": 0, "ours": 0.0, "theirs": 0.0}
    for length, row in ours.items():
        if length < max_length:
            rows.append(
                (str(length), row["count"], row["mae_seconds"], theirs[length]["mae_seconds"])
            )
        else:
            tail["count"] += row["count"]
            tail["ours"] += row["mae_seconds"] * row["count"]
            tail["theirs"] += theirs[length]["mae_seconds"] * row["count"]
    if tail["count"]:
        n = tail["count"]
        rows.append((f"{max_length}+", n, tail["ours"] / n, tail["theirs"] / n))
    return rows


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    days, rest = divmod(seconds, 86400)
    return f"{int(days)}d {rest / 3600:5.1f}h"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
