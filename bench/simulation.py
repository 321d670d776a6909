"""Benchmark: the what-if engine's speed, a 30-day as-is run with 20 replications at 1,000
requests a day (issue 23), on a desk-shaped model or a model JSON from `simulate --model`.

    .venv/bin/python bench/simulation.py [--model model.json] [--days 30] [--replications 20]
                                         [--per-day 1000]

Prints `name: value` lines. Discovery over 1M events is not measured yet (a later step).
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.simulation.engine import simulate  # noqa: E402  the repository is on sys.path above
from apps.simulation.model import HOURS_PER_WEEK, ProcessModel, StepDist  # noqa: E402  as above


def desk_model(per_day: float) -> ProcessModel:
    """Four departments, the generated history's path and step times, office-hour arrivals."""
    weights = [1, 1, 1, 1, 1, 2, 3, 6, 10, 12, 12, 10, 8, 10, 12, 11, 9, 6, 4, 3, 2, 2, 1, 1]
    hourly = [per_day / 4 * w / sum(weights) for w in weights] * 7
    departments = ["1", "2", "3", "4"]

    def exp(minutes: float) -> StepDist:
        return StepDist(kind="exponential", params={"mean": minutes * 60})

    return ProcessModel(
        arrivals={d: list(hourly[:HOURS_PER_WEEK]) for d in departments},
        priorities={d: {"2": 0.2, "3": 0.6, "4": 0.2} for d in departments},
        transitions={
            "new": {"queued": 0.85, "bot_answered": 0.15},
            "bot_answered": {"resolved": 0.6, "new": 0.4},
            "queued": {"assigned": 0.97, "cancelled": 0.03},
            "assigned": {"in_progress": 1.0},
            "in_progress": {
                "resolved": 0.72,
                "pending_customer": 0.15,
                "queued": 0.05,
                "assigned": 0.08,
            },
            "pending_customer": {"in_progress": 1.0},
            "resolved": {"closed": 0.91, "in_progress": 0.09},
        },
        routes={
            **{f"{d}|": {d: 1.0} for d in departments},
            **{f"|{d}": {o: 1.0 for o in departments if o != d} for d in departments},
        },
        durations={
            "new": exp(7),
            "bot_answered": exp(17),
            "queued": exp(20),
            "assigned": exp(33),
            "in_progress": exp(90),
            "pending_customer": exp(450),
            "resolved": exp(1400),
        },
        capacity={d: 60 for d in departments},
        resolution_targets={"2": 4 * 3600.0, "3": 8 * 3600.0, "4": 24 * 3600.0},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--per-day", type=float, default=1000)
    args = parser.parse_args()
    if args.model:
        model = ProcessModel.from_dict(json.loads(args.model.read_text()))
    else:
        model = desk_model(args.per_day)
    requests, started = 0, time.perf_counter()
    for seed in range(args.replications):
        run = simulate(model, hours=args.days * 24, seed=seed, drain_hours=args.days * 24)
        requests += len(run.outcomes)
    wall = time.perf_counter() - started
    print(f"simulation_replications: {args.replications}")
    print(f"simulation_requests: {requests}")
    print(f"simulation_wall_s: {wall:.1f}")
    print(f"simulation_requests_per_s: {requests / wall:.0f}")


if __name__ == "__main__":
    main()
