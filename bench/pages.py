"""Benchmark: the agent's queue and request page through gunicorn at 1k and 1M requests, beside
the ceiling's list at the same sizes."""

import argparse
import random
import signal
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import admin as admin_bench
from api_load import Result, calls_for, median, run_load
from api_systems import REDIS_DB, SERVER, drop_database, load_rows, prepare, start_gunicorn, stop
from api_systems import systems as api_systems
from steal import cpu_times, steal_percent

CLIENTS = 8
QUEUE = "/admin/tickets/servicerequest/"
PAGE = "/admin/tickets/servicerequest/{id}/change/"

# Signed-in sessions of the benchmark's agent, made with the server's own settings (the
# session's auth hash depends on SECRET_KEY); printed as JSON for the parent.
_SESSIONS_CODE = """
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from apps.tickets.models import ServiceRequest
user = User.objects.get(username="{agent}")
store = import_module(settings.SESSION_ENGINE).SessionStore
keys = []
for _ in range({clients}):
    session = store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    keys.append(session.session_key)
pages = list(ServiceRequest.objects.filter(state="in_progress", assignee__user=user)
             .order_by("pk").values_list("pk", flat=True))
print(json.dumps({{"sessions": keys, "pages": pages}}))
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 1_000_000])
    parser.add_argument("--seconds", type=float, default=10, help="length of one measured run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    return parser.parse_args(argv)


def emit(name: str, value) -> None:
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    print(f"{name}: {text}", flush=True)


def start_ours(size: int, number: int) -> tuple:
    """Our database at `size` (the admin benchmark's data: one agent, 500 open requests with
    their conversations, the rest closed history), the agent's sessions, gunicorn."""
    ours = next(s for s in api_systems() if s.name == "ours")
    system = replace(ours, database=f"bench_pages_ours_{size}", port=18801 + 10 * number)
    loaded = admin_bench.prepare(system.database, size)
    emit(f"load_ours_{size}_s", loaded["load_s"])
    print(f"# rows at {size}: {loaded['counts']}", flush=True)
    with_settings = system.django(
        "shell", "-c", _SESSIONS_CODE.format(agent=admin_bench.AGENT, clients=CLIENTS)
    )
    made = __import__("json").loads(with_settings.strip().splitlines()[-1])
    return system, start_gunicorn(system), made


def start_ceiling(size: int, number: int) -> tuple:
    ceiling = next(s for s in api_systems() if s.name == "ceiling")
    system = replace(
        ceiling, database=f"bench_pages_ceiling_{size}", port=18802 + 10 * number, tokens=[]
    )
    prepare(system)
    emit(f"load_ceiling_{size}_s", load_rows(system, size))
    return system, start_gunicorn(system)


def cookie(session: str) -> dict[str, str]:
    return {"Cookie": f"sessionid={session}"}


def entries_for(size: int, ours: tuple, ceiling: tuple) -> list[tuple]:
    """(name, port, credentials, make_call, headers_for) of each page measured at `size`."""
    system, _process, made = ours
    chooser = random.Random(7)
    pages = made["pages"]
    ceiling_system = ceiling[0]
    return [
        (f"queue_{size}", system.port, made["sessions"], lambda t, i: ("GET", QUEUE, None), cookie),
        (
            f"request_page_{size}",
            system.port,
            made["sessions"],
            lambda t, i: ("GET", PAGE.format(id=chooser.choice(pages)), None),
            cookie,
        ),
        (
            f"ceiling_list_{size}",
            ceiling_system.port,
            ceiling_system.tokens,
            calls_for("list", ceiling_system, {}),
            None,
        ),
    ]


def measure(entries: list[tuple], args) -> dict[str, list[Result]]:
    """One unmeasured 2 s warm-up of each, then `rounds` rounds, every entry in each round."""
    results: dict[str, list[Result]] = {}
    for _name, port, credentials, make_call, headers in entries:
        extra = {"headers_for": headers} if headers else {}
        run_load(port, credentials, make_call, 2, 200, **extra)
    for round_no in range(args.rounds):
        for name, port, credentials, make_call, headers in entries:
            extra = {"headers_for": headers} if headers else {}
            before = cpu_times()
            result = run_load(port, credentials, make_call, args.seconds, 200, **extra)
            results.setdefault(name, []).append(result)
            emit(f"{name}_run{round_no + 1}_per_s", result.per_s)
            emit(f"{name}_run{round_no + 1}_steal_percent", steal_percent(before, cpu_times()))
            if result.errors:
                emit(f"{name}_run{round_no + 1}_errors", result.errors)
                print(f"# first error: {result.first_error}", flush=True)
    return results


def explain(database: str) -> None:
    """The queue's and the request page's SELECTs on `database`, slowest first (the three
    slowest of each page, with the sum over all)."""
    found = admin_bench.run_child("explain", database, 0)
    for page, plans in found.items():
        total = sum(p["ms"] for p in plans)
        print(f"# EXPLAIN {page} on {database}: {len(plans)} SELECTs, {total:.2f} ms in all")
        for plan in plans[:3]:
            print(f"#   {plan['ms']:.2f} ms  {plan['sql']}")
            for line in plan["plan"]:
                print(f"#       {line}")


def figures_of(results: dict[str, list[Result]], sizes: list[int]) -> dict[str, float]:
    figures: dict[str, float] = {}
    for name, runs in results.items():
        figures[f"{name}_per_s"] = median([r.per_s for r in runs])
        figures[f"{name}_p50_ms"] = median([r.percentile(0.50) for r in runs])
        figures[f"{name}_p99_ms"] = median([r.percentile(0.99) for r in runs])
    small, big = sizes
    for page in ("queue", "request_page", "ceiling_list"):
        a, b = figures.get(f"{page}_{big}_p50_ms"), figures.get(f"{page}_{small}_p50_ms")
        if a and b:
            figures[f"ratio_{page}_p50_{big}_over_{small}"] = a / b
        for size in sizes:
            ours, ceiling = (
                figures.get(f"{page}_{size}_per_s"),
                figures.get(f"ceiling_list_{size}_per_s"),
            )
            if page != "ceiling_list" and ours and ceiling:
                figures[f"ratio_{page}_over_ceiling_list_at_{size}"] = ours / ceiling
    return figures


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    started: list[tuple] = []
    entries: list[tuple] = []
    try:
        for number, size in enumerate(args.sizes):
            ours = start_ours(size, number)
            started.append(ours)
            ceiling = start_ceiling(size, number)
            started.append(ceiling)
            entries += entries_for(size, ours, ceiling)
        results = measure(entries, args)
        for system, _process, *_ in started[::2]:
            explain(system.database)
    finally:
        for system, process, *_ in started:
            stop(process)
            if not args.keep:
                drop_database(system.database)
        _clean_redis()
    figures = figures_of(results, args.sizes)
    for name, value in figures.items():
        emit(name, value)
    return figures


def _clean_redis() -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    keys = list(client.scan_iter(count=1000))
    if keys:
        client.delete(*keys)


if __name__ == "__main__":
    print(f"# server {SERVER}", flush=True)
    main()
