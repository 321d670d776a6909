"""Benchmark: the metrics report and the process map over a ~1M-event history, against plain
SQL aggregates over the same table, and against pm4py's directly-follows discovery on our
exported log (pm4py is AGPL and a test-only dependency: this script is not part of the app).

    .venv/bin/python bench/analytics.py [--requests 100000] [--repeats 3] [--reuse]

Builds a throwaway PostgreSQL database `bench_analytics` (demo organisation, then
`generate_history`), or reuses it with --reuse.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
NAME = os.environ.get("BENCH_ANALYTICS_DB", "bench_analytics")
DAYS = 180

from analytics_references import (  # noqa: E402  bench/ is on sys.path only after the lines above
    ONE_AGGREGATE,
    OPEN,
    REFERENCE_ACTIVITY_MAP,
    REFERENCE_METRICS,
    REFERENCE_STATE_MAP,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    parser.add_argument("--skip-pm4py", action="store_true")
    return parser.parse_args()


def setup_django() -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="servicedesk.settings.test",
        TEST_DATABASE_URL=f"{SERVER}/{NAME}",
        TEST_REDIS_URL="memory://",  # no tasks left behind in a real broker
        SERVICEDESK_CONFIG_CACHE_SECONDS="3600",  # policies matched from the cache
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(requests: int) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {NAME}")
    from django.core.management import call_command

    from apps.demo.history import generate_history

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo_data", verbosity=0)
    started = time.perf_counter()
    totals = generate_history(requests=requests, days=DAYS, chunk=2000)
    print(
        f"generated {totals['requests']} requests, {totals['events']} events in "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    with psycopg.connect(f"{SERVER}/{NAME}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def plain(statements: dict, params: dict | None = None):
    """Run hand-written statements one after the other; {name: rows}."""
    from django.db import connection

    def run():
        found = {}
        with connection.cursor() as cursor:
            for name, sql in statements.items():
                cursor.execute(sql, params)
                found[name] = cursor.fetchall()
        return found

    return run


def _stats_of(values) -> dict:
    count, mean, quantiles = values
    median, p90 = quantiles or (None, None)
    return {
        "count": count or 0,
        **{
            k: None if v is None else round(float(v), 3)
            for k, v in (("mean", mean), ("median", median), ("p90", p90))
        },
    }


NO_STATS = {"count": 0, "mean": None, "median": None, "p90": None}


def same_metrics(ours: dict, reference: dict) -> bool:
    """Whether the hand-written statements found the report's figures (ungrouped row)."""
    ((resolved, cancelled, out, reopened, backlog),) = reference["volume"]
    ((created, resolved_requests, *times),) = reference["requests"]
    ((escalated, handed_off, bounced, deflected, not_first),) = reference["rates"]
    found = {
        "volume": {
            "created": created,
            "resolved": resolved,
            "cancelled": cancelled,
            "out": out,
            "reopened": reopened,
            "backlog": backlog,
        },
        "first_response wall": _stats_of(times[:3]),
        "resolution wall": _stats_of(times[3:]),
        "rate counts": [escalated, handed_off, bounced, deflected, resolved_requests - not_first],
        "sla": {k: (total, breached) for k, total, breached, *_ in reference["clocks"] if total},
        "business": {k: _stats_of(rest) for k, _, _, *rest in reference["clocks"] if rest[0]},
        "time in state": {
            s: (_stats_of(r[:3]), _stats_of(r[3:])) for s, *r in reference["time in state"]
        },
        "csat": {str(rating): n for rating, n in reference["csat"]},
    }
    rates = ours["rates"]
    mine = {
        "volume": ours["volume"],
        "first_response wall": ours["first_response"]["wall"],
        "resolution wall": ours["resolution"]["wall"],
        "rate counts": [
            rates[k]["count"]
            for k in ("escalation", "handoff", "bounce", "deflection", "first_contact_resolution")
        ],
        "sla": {k: (v["total"], v["breached"]) for k, v in ours["sla"].items()},
        "business": {
            k: ours[k]["business"]
            for k in ("first_response", "resolution")
            if ours[k]["business"]["count"]
        },
        "time in state": {s: (v["wall"], v["business"]) for s, v in ours["time_in_state"].items()},
        "csat": {k: n for k, n in ours["csat"]["distribution"].items() if n},
    }
    return found == mine


def same_state_map(ours: dict, reference: dict) -> bool:
    edges = {
        (e["source"], e["target"]): (e["frequency"], e["cases"], e["wait"], e["business_wait"])
        for e in ours["edges"]
    }
    found, waits = {}, {}
    for source, target, frequency, cases, *rest in reference["edges and nodes"]:
        wall, business = _stats_of(rest[0:3]), _stats_of(rest[3:6])
        if target is None:
            waits[source] = (wall, business)
        else:
            found[(source or "start", target)] = (frequency, cases, wall, business)
    nodes = {n["id"]: (n["wait"], n["business_wait"]) for n in ours["nodes"] if "wait" in n}
    return (
        found == edges
        and all(waits.get(state, (NO_STATS, NO_STATS)) == value for state, value in nodes.items())
        and reference["cases"][0][0] == ours["cases"]
    )


def same_activity_map(ours: dict, reference: dict) -> bool:
    edges = {
        (e["source"], e["target"]): (e["frequency"], e["cases"], e["wait"]) for e in ours["edges"]
    }
    found, starts = {}, {}
    for source, target, frequency, cases, first, *rest in reference["edges, starts and ends"]:
        starts[source] = starts.get(source, 0) + first
        if target is not None:
            found[(source, target)] = (frequency, cases, _stats_of(rest))
    return found == edges and starts == {n["id"]: n["starts"] for n in ours["nodes"]}


def measure(repeats: int) -> tuple[dict, dict]:
    """Medians of every case, run interleaved (A B A B ...), and whether the references found
    our figures."""
    from django.utils import timezone

    from apps.analytics.metrics import compute_metrics
    from apps.analytics.process_map import process_map

    end = timezone.now() + timedelta(minutes=1)
    start = end - timedelta(days=DAYS + 1)
    period = {"start": start, "end": end}
    cases = {
        "metrics report": lambda: compute_metrics(**period),
        "reference: metrics report": plain(REFERENCE_METRICS, period),
        "process map (states)": lambda: process_map(view="states"),
        "reference: state map": plain(REFERENCE_STATE_MAP),
        "process map (all activities)": lambda: process_map(view="activities", kinds=None),
        "reference: activity map": plain(REFERENCE_ACTIVITY_MAP),
        "metrics by department": lambda: compute_metrics(**period, group_by="department"),
        **{name: plain({name: sql}) for name, sql in ONE_AGGREGATE.items()},
    }
    runs: dict[str, list[float]] = {name: [] for name in cases}
    last: dict[str, object] = {}
    for _ in range(repeats):  # interleaved: a noisy machine spreads over every case
        for name, function in cases.items():
            seconds, last[name] = timed(function)
            runs[name].append(seconds)
    checks = {
        "reference metrics equal ours": same_metrics(
            last["metrics report"][0], last["reference: metrics report"]
        ),
        "reference state map equals ours": same_state_map(
            last["process map (states)"], last["reference: state map"]
        ),
        "reference activity map equals ours": same_activity_map(
            last["process map (all activities)"], last["reference: activity map"]
        ),
    }
    return {name: statistics.median(times) for name, times in runs.items()}, checks


def versus_pm4py() -> dict:
    import pandas
    import pm4py

    from apps.analytics.exports import export_chunks
    from apps.analytics.process_map import activity_map
    from apps.analytics.sources import desk_source

    source = desk_source(kinds=None)
    ours_s, ours = timed(lambda: activity_map(source))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.csv"

        def export():
            with path.open("w", encoding="utf-8") as out:
                for chunk in export_chunks(source, "csv"):
                    out.write(chunk)

        export_s, _ = timed(export)
        read_s, frame = timed(
            lambda: pm4py.format_dataframe(
                pandas.read_csv(path),
                case_id="case_id",
                activity_key="activity",
                timestamp_key="timestamp",
            )
        )
        dfg_s, (dfg, _, _) = timed(lambda: pm4py.discover_dfg(frame))
    ours_counts = {(e["source"], e["target"]): e["frequency"] for e in ours["edges"]}
    return {
        "our activity map (SQL)": ours_s,
        "our CSV export (streamed)": export_s,
        "pm4py read CSV + format": read_s,
        "pm4py discover_dfg": dfg_s,
        "same counts": dict(dfg) == ours_counts,
        "events": len(frame),
    }


def main() -> None:
    args = parse_args()
    setup_django()
    if not args.reuse:
        build(args.requests)
    from apps.eventlog.models import Event
    from apps.lifecycle.states import OPEN as OPEN_STATES

    assert str(tuple(str(state) for state in OPEN_STATES)) == OPEN  # the literal stays true
    print(f"events: {Event.objects.count()}")
    print(f"repeats: {args.repeats}")
    medians, checks = measure(args.repeats)
    for name, seconds in medians.items():
        print(f"{name}: {seconds:.3f} s")
    for name, same in checks.items():
        print(f"{name}: {'yes' if same else 'NO'}")
    ratios = {
        "metrics report / reference": ("metrics report", "reference: metrics report"),
        "state map / reference": ("process map (states)", "reference: state map"),
        "activity map / reference": ("process map (all activities)", "reference: activity map"),
        "metrics report / one aggregate (old reference)": (
            "metrics report",
            "one aggregate: time in state",
        ),
        "state map / one aggregate (old reference)": (
            "process map (states)",
            "one aggregate: state edges",
        ),
        "activity map / one aggregate (old reference)": (
            "process map (all activities)",
            "one aggregate: directly-follows counts",
        ),
    }
    for name, (ours, reference) in ratios.items():
        print(f"ratio {name}: {medians[ours] / medians[reference]:.2f}")
    if not args.skip_pm4py:
        for name, value in versus_pm4py().items():
            shown = f"{value:.3f} s" if isinstance(value, float) else value
            print(f"{name}: {shown}")


if __name__ == "__main__":
    main()
