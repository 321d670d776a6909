"""ETA accuracy on generated histories, as the desk's log and as an imported copy, in one table.

    # once per history: its traces from a database (DATABASE_URL) into a file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/eta_accuracy.py \
        dump var/eta/seed2026.pickle
    # then any number of times, without a database
    .venv/bin/python bench/eta_accuracy.py evaluate var/eta/seed*.pickle [--imported-only]

`evaluate` runs `evaluate_eta`'s evaluation (split 0.7 by case start, every prefix of every
test case) on each file twice: as the desk's log, and as an imported copy (only case,
activity, time and resource of each transition up to the case's end, the case's end a next
step, a breach = ending later than the median training duration), and prints `name: value`
lines (next step against the Markov chain, remaining-time MAE against the best naive
baseline, breach AUC)."""

import argparse
import os
import pickle
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _django(settings: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    django.setup()


def dump(path: str) -> None:
    _django("servicedesk.settings.local")
    from apps.improvement.eta.sources import desk_traces, office_hours

    traces = desk_traces()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        # The office hours beside the traces (a file from before them holds the list alone).
        found = {"traces": traces, "hours": office_hours()}
        pickle.dump(found, out, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"traces: {len(traces)}")


def imported_copy(traces: list) -> list:
    """What `import_event_log` would read from a CSV export of the finished cases: each
    transition up to the case's end as (case, activity, time, resource); no states,
    departments, attributes or clocks."""
    from apps.improvement.eta.traces import Step, Trace

    out = []
    for trace in traces:
        if trace.end is None:
            continue
        steps = [
            Step(s.activity, s.activity, s.at, resource=s.resource)
            for s in trace.steps
            if s.at <= trace.end
        ]
        out.append(Trace(case=trace.case, steps=steps, end=steps[-1].at))
    return out


def summary(report: dict) -> dict:
    nexts, remaining = report["next_step"], report["remaining"]
    naive = min(
        ("mean_by_length", "median_by_last_activity"), key=lambda k: remaining[k]["mae_days"]
    )
    breach = report.get("breach") or {}
    model_mae, naive_mae = remaining["model"]["mae_days"], remaining[naive]["mae_days"]
    return {
        "cases": f"{report['cases']['train']}/{report['cases']['test']}",
        "prefixes": f"{report['prefixes']['train']}/{report['prefixes']['test']}",
        "next_model": round(nexts["model"]["accuracy"], 4),
        "next_markov": round(nexts["markov"]["accuracy"], 4),
        "next_gain_points": round(
            100 * (nexts["model"]["accuracy"] - nexts["markov"]["accuracy"]), 2
        ),
        "mae_model_days": round(model_mae, 3),
        "mae_best_naive_days": round(naive_mae, 3),
        "best_naive": naive,
        "mae_gain_percent": round(100 * (1 - model_mae / naive_mae), 1),
        "breach_auc": _round(breach.get("model", {}).get("auc")),
        "breach_auc_naive": _round(breach.get("rate_by_last_activity", {}).get("auc")),
        "brier": _round(breach.get("model", {}).get("brier")),
        "p90_coverage": _round(report["p90_coverage"]),
        "breach_rate": _round(report["breach_rate"]),
    }


def _round(value):
    return None if value is None else round(value, 3)


def evaluate(paths: list[str], *, imported_only: bool, desk_only: bool) -> None:
    _django("servicedesk.settings.test")
    from apps.improvement.eta.evaluation import evaluate as run

    for path in paths:
        with open(path, "rb") as source:
            stored = pickle.load(source)
        if isinstance(stored, list):
            stored = {"traces": stored, "hours": None}
        traces = stored["traces"]
        kinds = []
        if not imported_only:
            kinds.append(("desk", traces, stored["hours"]))
        if not desk_only:
            copy = imported_copy([replace(t, load=None) for t in traces])
            kinds.append(("imported", copy, None))
        for kind, logged, hours in kinds:
            began = time.perf_counter()
            found = summary(run(logged, share=0.7, hours=hours))
            name = f"{Path(path).stem}_{kind}"
            for key, value in found.items():
                print(f"{name}_{key}: {value}")
            print(f"{name}_seconds: {time.perf_counter() - began:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump")
    dumping.add_argument("path")
    evaluating = commands.add_parser("evaluate")
    evaluating.add_argument("paths", nargs="+")
    evaluating.add_argument("--imported-only", action="store_true")
    evaluating.add_argument("--desk-only", action="store_true")
    options = parser.parse_args()
    if options.command == "dump":
        dump(options.path)
    else:
        evaluate(options.paths, imported_only=options.imported_only, desk_only=options.desk_only)


if __name__ == "__main__":
    main()
