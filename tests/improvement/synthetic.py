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


def activity_log(cases: int, choose, seed: int = 11) -> list[Trace]:
    """Imported-style traces (no open states): `choose(rng, activities so far)` gives the next
    activity, or None to end the case; each step takes an exponential hour. A case starts every
    30 minutes."""
    rng = random.Random(seed)
    traces = []
    for n in range(cases):
        at = START + timedelta(minutes=30 * n)
        done: list[str] = []
        steps = []
        while (activity := choose(rng, done)) is not None:
            done.append(activity)
            steps.append(Step(activity, activity, at))
            at += timedelta(hours=rng.expovariate(1.0))
        traces.append(Trace(case=f"C{n}", steps=steps, end=steps[-1].at))
    return traces


def deterministic(rng, done):
    order = ["register", "check", "decide", "notify"]
    return order[len(done)] if len(done) < len(order) else None


def memoryless(rng, done):
    if done and rng.random() < 0.25:
        return None
    return rng.choice(["a", "b", "c"])
