"""Synthetic event logs with known structure for the ETA tests."""

import random
from datetime import UTC, datetime, timedelta

from apps.improvement.eta.traces import Step, Trace

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def department_log(cases: int = 400, seed: int = 7) -> list[Trace]:
    """Every case runs submit -> route -> assign -> start -> resolve; department "slow" takes
    ten times as long in every step as "fast", and low priority (4) doubles the work. A case
    starts every hour."""
    rng = random.Random(seed)
    traces = []
    for n in range(cases):
        department = rng.choice(["fast", "slow"])
        priority = rng.choice([2, 4])
        hours = (1 if department == "fast" else 10) * (2 if priority == 4 else 1)
        at = START + timedelta(hours=n)
        steps = []
        for activity, state in (
            ("submit", "new"),
            ("route", "queued"),
            ("assign", "assigned"),
            ("start", "in_progress"),
            ("resolve", "resolved"),
        ):
            steps.append(Step(activity, state, at, department))
            at += timedelta(hours=hours * rng.uniform(0.8, 1.2))
        end = steps[-1].at
        traces.append(Trace(case=f"C{n}", steps=steps, end=end, priority=priority))
    return traces
