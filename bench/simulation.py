"""Benchmark: the what-if engine and discovery (issue 23), each against a reference measured in
the same run.

    .venv/bin/python bench/simulation.py [--model model.json] [--days 30] [--replications 20]
        [--per-day 1000] [--discovery] [--discovery-requests 100000] [--copies 0] [--repeats 3]
        [--reuse]

Engine (no database): a 30-day run with 20 replications at 1,000 requests a day of a
desk-shaped model (or a model JSON from `simulate --model`), replication by replication
interleaved with

- the same model with shifts (`ProcessModel.staffing`: a department's agents by hour of the
  day, the pools then priority resources with blockers off duty), as the staffing search runs;
- the reference: bare SimPy walking the same path (the same transition shares, step means,
  routes and agent pools, an exponential per step) with none of the engine's bookkeeping
  (no calendar, no resolution clock, no outcomes, busy time or backlog).

Discovery (`--discovery`, PostgreSQL): a throwaway database `bench_simulation` (the demo
organisation, then `generate_history` over 180 days; kept with --reuse), `discover()` over the
whole history interleaved with the reference: the same transition rows read by plain SQL through
a server-side cursor, nothing done with them. `--copies K` adds K copies of the generated
requests with their events and SLA clocks, each copy moved back by the history's span (new ids,
the same content), so that discovery reads 1M events without generating them for hours
(`generate_history` makes about 500 requests a minute on a loaded two-core machine; 20,000
requests are 124,000 events, and 8 copies make 1.1M).

Prints `name: value` lines; the ratios are what compare across machines.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = "postgres://postgres@127.0.0.1:5432"
NAME = os.environ.get("BENCH_SIMULATION_DB", "bench_simulation")
HISTORY_DAYS = 180

import simpy  # noqa: E402  the repository is on sys.path above

from apps.simulation.engine import simulate  # noqa: E402  as above
from apps.simulation.model import (  # noqa: E402  as above
    ENDS,
    HOURS_PER_WEEK,
    WORKING,
    ProcessModel,
    StepDist,
    draw,
)

HOUR = 3600.0


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


def with_shifts(model: ProcessModel) -> ProcessModel:
    """The same agents by day (07:00-19:00 UTC), a third of them at night."""
    shifted = ProcessModel.from_dict(model.to_dict())
    for department, agents in model.capacity.items():
        shifted.staffing[department] = [
            agents if 7 <= hour < 19 else max(agents // 3, 1) for hour in range(24)
        ]
    return shifted


def bare_simpy(  # noqa: C901  one function on purpose: nothing between SimPy and the path
    model: ProcessModel, *, hours: float, seed: int, drain_hours: float
) -> int:
    """The reference: the model's path walked by SimPy with nothing else; requests arrived."""
    env, rng = simpy.Environment(), random.Random(seed)
    pools = {d: simpy.Resource(env, capacity=max(c, 1)) for d, c in model.capacity.items()}
    means = {
        key.split("|")[0]: dist.params.get("mean", 0.0) for key, dist in model.durations.items()
    }
    arrived = [0]

    def request(category: str):
        state, department, held = "new", "", None
        while state not in ENDS:
            choices = model.transitions.get(state)
            if not choices:
                return
            following = draw(choices, rng)
            if state == "queued" and following in WORKING and department in pools:
                held = pools[department].request()
                yield held
            else:
                mean = means.get(state, 0.0)
                yield env.timeout(rng.expovariate(1 / mean) if mean else 0.0)
            if held is not None and following not in WORKING:
                pools[department].release(held)
                held = None
            if following == "queued":
                department = model.department_for(category, department, rng)
            if following in WORKING and held is None and state != "queued" and department in pools:
                held = pools[department].request()
                yield held
            state = following
        if held is not None:
            pools[department].release(held)

    def arrivals(category: str, until: float):
        rates = model.arrivals[category]
        while env.now < until:
            rate = rates[int(env.now // HOUR) % HOURS_PER_WEEK]
            hour_end = (env.now // HOUR + 1) * HOUR
            gap = rng.expovariate(rate / HOUR) if rate > 0 else float("inf")
            if env.now + gap >= hour_end:
                yield env.timeout(hour_end - env.now)
                continue
            yield env.timeout(gap)
            if env.now < until:
                arrived[0] += 1
                env.process(request(category))

    for category in sorted(model.arrivals):
        env.process(arrivals(category, hours * HOUR))
    env.run(until=(hours + drain_hours) * HOUR)
    return arrived[0]


def engine(args: argparse.Namespace) -> None:
    if args.model:
        model = ProcessModel.from_dict(json.loads(args.model.read_text()))
    else:
        model = desk_model(args.per_day)
    shifted = with_shifts(model)
    cases = {
        "ours": lambda seed: len(_run(model, args.days, seed).outcomes),
        "ours_with_shifts": lambda seed: len(_run(shifted, args.days, seed).outcomes),
        "reference_bare_simpy": lambda seed: bare_simpy(
            model, hours=args.days * 24, seed=seed, drain_hours=args.days * 24
        ),
    }
    seconds = dict.fromkeys(cases, 0.0)
    requests = dict.fromkeys(cases, 0)
    for seed in range(args.replications):
        for name, case in cases.items():
            started = time.perf_counter()
            requests[name] += case(seed)
            seconds[name] += time.perf_counter() - started
    print(f"simulation_days: {args.days:g}")
    print(f"simulation_replications: {args.replications}")
    for name in cases:
        print(f"simulation_{name}_requests: {requests[name]}")
        print(f"simulation_{name}_wall_s: {seconds[name]:.1f}")
        print(f"simulation_{name}_requests_per_s: {requests[name] / seconds[name]:.0f}")
    rate = {name: requests[name] / seconds[name] for name in cases}
    print(f"ratio_ours_over_bare_simpy: {rate['ours'] / rate['reference_bare_simpy']:.2f}")
    print(f"ratio_shifts_over_ours: {rate['ours_with_shifts'] / rate['ours']:.2f}")


def _run(model: ProcessModel, days: float, seed: int):
    return simulate(model, hours=days * 24, seed=seed, drain_hours=days * 24)


def discovery(args: argparse.Namespace) -> None:
    import psycopg

    os.environ.update(
        DJANGO_SETTINGS_MODULE="servicedesk.settings.test",
        TEST_DATABASE_URL=f"{SERVER}/{NAME}",
        TEST_REDIS_URL="memory://",
        SERVICEDESK_CONFIG_CACHE_SECONDS="3600",
    )
    import django

    django.setup()
    if not args.reuse:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {NAME}")
        _build(args.discovery_requests)
    if args.copies:
        _copy(args.copies)
    from django.db.models import Max, Min

    from apps.eventlog.models import Event
    from apps.simulation.discovery import discover
    from apps.tickets.models import ServiceRequest

    span = ServiceRequest.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    start, end = span["first"], span["last"] + (span["last"] - span["first"]) / 10**6
    print(f"discovery_events: {Event.objects.count()}")
    print(f"discovery_requests: {ServiceRequest.objects.count()}")
    cases = {
        "discover": lambda: discover(start=start, end=end),
        "reference_read_rows": lambda: _read_rows(start, end),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _repeat in range(args.repeats):
        for name, case in cases.items():
            started = time.perf_counter()
            case()
            times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"discovery_{name}_s: {value:.2f}")
    ratio = medians["discover"] / medians["reference_read_rows"]
    print(f"ratio_discover_over_reading_its_rows: {ratio:.2f}")


def _build(requests: int) -> None:
    from django.core.management import call_command

    from apps.demo.history import generate_history

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo_data", verbosity=0)
    started = time.perf_counter()
    totals = generate_history(requests=requests, days=HISTORY_DAYS, chunk=2000)
    print(
        f"generated {totals['requests']} requests, {totals['events']} events in "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# What a copy moves: ids by an offset, request references likewise, every timestamp back.
COPIED = ("tickets_servicerequest", "quality_event", "sla_slaclock")
REFERENCES = {"id", "request_id", "merged_into_id"}


def _copy(copies: int) -> None:
    """Add `copies` copies of the requests, their events and SLA clocks, copy j moved back by
    j times the history's span; ids and request references offset past every existing id."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT min(created_at), max(created_at) FROM tickets_servicerequest")
        first, last = cursor.fetchone()
        span = last - first
        offsets = {}
        for table in COPIED:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            offsets[table] = cursor.fetchone()[0]
        step = max(offsets.values()) + 1
        for table in COPIED:
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = %s ORDER BY ordinal_position",
                [table],
            )
            columns = cursor.fetchall()
            names = ", ".join(name for name, _type in columns)
            for j in range(1, copies + 1):
                values = ", ".join(
                    f"{name} + {j * step}"
                    if name in REFERENCES
                    else f"{name} - %(shift)s"
                    if kind == "timestamp with time zone"
                    else name
                    for name, kind in columns
                )
                cursor.execute(
                    f"INSERT INTO {table} ({names}) SELECT {values} FROM {table} "
                    f"WHERE id <= {offsets[table]}",
                    {"shift": span * j},
                )
        cursor.execute("ANALYZE")
    print(f"copied the history {copies} times", file=sys.stderr)


# The rows discovery reads (discovery._read_log), in its order, by plain SQL.
ROWS = """
SELECT e.request_id, e.transition, e.from_state, e.to_state, e.department_id, e.at,
       e.wall_seconds, e.business_seconds, e.assignee_id, r.category_id, r.priority
FROM quality_event e JOIN {requests} r ON r.id = e.request_id
WHERE e.kind = 'transition' AND r.created_at >= %s AND r.created_at < %s
ORDER BY e.request_id, e.seq
"""


def _read_rows(start, end) -> int:
    from django.db import connection, transaction

    from apps.tickets.models import ServiceRequest

    rows = 0
    with transaction.atomic(), connection.connection.cursor(name="bench_rows") as cursor:
        cursor.itersize = 5000
        cursor.execute(ROWS.format(requests=ServiceRequest._meta.db_table), (start, end))
        for _row in cursor:
            rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--per-day", type=float, default=1000)
    parser.add_argument("--skip-engine", action="store_true")
    parser.add_argument("--discovery", action="store_true", help="also time discovery")
    parser.add_argument("--discovery-requests", type=int, default=100_000)
    parser.add_argument("--copies", type=int, default=0, help="copies of the generated history")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    args = parser.parse_args()
    if not args.skip_engine:
        engine(args)
    if args.discovery:
        discovery(args)


if __name__ == "__main__":
    main()
