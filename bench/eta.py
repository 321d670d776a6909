"""ETA model: training time and peak memory at 100k and 1M events, and scoring 10k open
requests, for the boosted model beside the former empirical model, in the same run.

    .venv/bin/python bench/eta.py [--events 100000 1000000] [--open 10000]

The log is synthetic and made in memory (no database): desk-like cases of 4-12 steps over four
departments and four priorities, the slow department and low priorities taking longer, with
resolution deadlines. Each (model, size) runs in its own process so its peak RSS is its own.
Prints `name: value` lines."""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STEPS = ["route", "assign", "start", "request_info", "customer_reply", "escalate", "reassign"]
OPEN = frozenset({"new", "queued", "assigned", "in_progress", "pending_customer"})


def synthetic(events: int, seed: int = 1):
    from apps.improvement.eta.traces import Step, Trace

    rng, traces, total, n = random.Random(seed), [], 0, 0
    start = datetime(2026, 1, 5, tzinfo=UTC)
    while total < events:
        department, priority = rng.randrange(4), rng.randrange(1, 5)
        pace = (3.0 if department == 3 else 1.0) * (0.5 + priority / 4)
        at = start + timedelta(minutes=3 * n)
        steps = [Step("submit", "new", at, department, None, 0.0)]
        for _i in range(rng.randrange(2, 10)):
            at += timedelta(hours=rng.expovariate(1 / pace))
            name = rng.choice(STEPS)
            steps.append(Step(name, "in_progress", at, department, rng.randrange(20), 0.0))
        at += timedelta(hours=rng.expovariate(1 / pace))
        steps.append(Step("resolve", "resolved", at, department, None, 0.0))
        used = 0.0
        for i, step in enumerate(steps):
            used = (step.at - steps[0].at).total_seconds()
            steps[i] = Step(
                step.activity, step.state, step.at, step.department, step.resource, used
            )
        traces.append(
            Trace(
                case=str(n),
                steps=steps,
                end=at,
                priority=priority,
                open_states=OPEN,
                attributes={"priority": priority, "channel": rng.choice("abc")},
                target_seconds=12 * 3600.0,
                breached=(at - steps[0].at).total_seconds() > 12 * 3600,
            )
        )
        total += len(steps)
        n += 1
    return traces


def office():
    """Office hours as the demo's (08:00-12:00, 13:00-18:00 on weekdays, Berlin): the boosted
    model's office-hours columns (eta/office.py) are part of its fit on the desk."""
    from datetime import time as clock
    from zoneinfo import ZoneInfo

    from apps.sla.business_time import Schedule

    day = ((clock(8), clock(12)), (clock(13), clock(18)))
    return Schedule(tz=ZoneInfo("Europe/Berlin"), weekly=[day] * 5 + [(), ()])


def child(model: str, events: int, open_requests: int) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings.test")
    django.setup()
    from apps.improvement.eta.boosted import BoostedModel, matrix
    from apps.improvement.eta.context import attach_load
    from apps.improvement.eta.model import EmpiricalModel
    from apps.improvement.eta.office import OfficeHours
    from apps.improvement.eta.traces import samples

    traces = synthetic(events)
    began = time.perf_counter()
    attach_load(traces)
    loaded = time.perf_counter() - began
    began = time.perf_counter()
    train = list(samples(traces))
    fitted = (
        BoostedModel.fit(train, hours=OfficeHours(office()))
        if model == "boosted"
        else EmpiricalModel.fit(train)
    )
    trained = time.perf_counter() - began
    chosen = random.Random(2).sample(train, min(open_requests, len(train)))
    began = time.perf_counter()
    if model == "boosted":
        fitted.predict(chosen)
        rows = matrix(fitted.encoder, chosen[:1])
        fitted.explain(rows[0])
    else:
        for sample in chosen:
            fitted.remaining_seconds(sample.features)
            fitted.breach_risk(sample.features, 3600.0)
    scored = time.perf_counter() - began
    return {
        "prefixes": len(train),
        "load_s": round(loaded, 2),
        "train_s": round(trained, 2),
        "score_s": round(scored, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--models", nargs="+", default=["boosted", "empirical"])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        model, events, open_requests = args.child
        print(json.dumps(child(model, int(events), int(open_requests))))
        return
    for events in args.events:
        for model in args.models:
            out = subprocess.run(
                [sys.executable, __file__, "--child", model, str(events), str(args.open)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            for key, value in figures.items():
                print(f"eta_{model}_{events}_{key}: {value}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
