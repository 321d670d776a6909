"""Benchmark: our API against a bare Django+DRF ceiling and django-helpdesk, at 1k and 1M rows."""

import argparse
import signal
import sys
from dataclasses import replace
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_explain import explain
from api_load import Result, calls_for, median, run_load
from api_systems import (
    REDIS_DB,
    SERVER,
    System,
    drop_database,
    ensure_helpdesk_venv,
    load_rows,
    owned_ids,
    prepare,
    start_gunicorn,
    stop,
    systems,
)
from memory import PeakRss
from steal import cpu_times, steal_percent

EXPECT = {"create": 201, "list": 200, "detail": 200}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 1_000_000])
    parser.add_argument("--seconds", type=float, default=20, help="length of one measured run")
    parser.add_argument("--rounds", type=int, default=3, help="A B C rounds per figure")
    parser.add_argument("--helpdesk-max-size", type=int, default=1000)
    parser.add_argument("--systems", nargs="+", default=["ours", "ceiling", "helpdesk"])
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    return parser.parse_args(argv)


def emit(name: str, value) -> None:
    if isinstance(value, list):
        text = " ".join(f"{v:.1f}" for v in value)
    else:
        text = f"{value:.2f}" if isinstance(value, float) else str(value)
    print(f"{name}: {text}", flush=True)


def measure(kind: str, entries: list[tuple[System, str]], ids: dict, args, results: dict) -> None:
    """`rounds` runs of each (system, size) entry, interleaved (A B C A B C ...), one warm-up
    each first. Sizes are interleaved too: the 1M/1k ratio is a comparison like any other,
    and the machine drifts between phases (the ceiling's own ratio was 1.17 when the sizes
    were measured one after the other)."""
    for system, tag in entries:
        warm_up = calls_for(kind, system, ids.get((system.name, tag), {}))
        run_load(system.port, system.tokens, warm_up, 2, 0)
    for round_no in range(args.rounds):
        for system, tag in entries:
            calls = calls_for(kind, system, ids.get((system.name, tag), {}))
            before = cpu_times()
            result = run_load(system.port, system.tokens, calls, args.seconds, EXPECT[kind])
            key = f"{system.name}_{kind}" + (f"_{tag}" if tag else "")
            results.setdefault(key, []).append(result)
            emit(f"{key}_run{round_no + 1}_per_s", result.per_s)
            emit(f"{key}_run{round_no + 1}_steal_percent", steal_percent(before, cpu_times()))
            if result.errors:
                emit(f"{key}_run{round_no + 1}_errors", result.errors)
                print(f"# first error: {result.first_error}", flush=True)


def summarise(results: dict[str, list[Result]]) -> dict[str, float]:
    figures = {}
    for key, runs in results.items():
        figures[f"{key}_per_s"] = median([r.per_s for r in runs])
        figures[f"{key}_p50_ms"] = median([r.percentile(0.50) for r in runs])
        figures[f"{key}_p99_ms"] = median([r.percentile(0.99) for r in runs])
        figures[f"{key}_rounds"] = [r.per_s for r in runs]
    return figures


def ratios(figures: dict[str, float], sizes: list[int]) -> dict[str, float]:
    out = {}
    big, small = f"{sizes[-1]}", f"{sizes[0]}"
    create = {n: figures.get(f"{n}_create_per_s") for n in ("ours", "ceiling", "helpdesk")}
    if create["ours"] and create["ceiling"]:
        out["ratio_create_ours_over_ceiling"] = create["ours"] / create["ceiling"]
        # Each round's pair was measured back to back: the spread of these shows the noise.
        pairs = zip(figures["ours_create_rounds"], figures["ceiling_create_rounds"], strict=True)
        by_round = [a / b for a, b in pairs]
        out["ratio_create_ours_over_ceiling_rounds"] = " ".join(f"{r:.2f}" for r in by_round)
    if create["ours"] and create["helpdesk"]:
        out["ratio_create_ours_over_helpdesk"] = create["ours"] / create["helpdesk"]
    for name in ("ours", "ceiling"):
        for kind in ("list", "detail"):
            a = figures.get(f"{name}_{kind}_{big}_p50_ms")
            b = figures.get(f"{name}_{kind}_{small}_p50_ms")
            if a and b:
                out[f"ratio_{name}_{kind}_p50_{big}_over_{small}"] = a / b
    for kind in ("list", "detail"):
        a = figures.get(f"ours_{kind}_{small}_per_s")
        b = figures.get(f"ceiling_{kind}_{small}_per_s")
        if a and b:
            out[f"ratio_{kind}_ours_over_ceiling_at_{small}"] = a / b
    return out


def clean_redis() -> None:
    """Our project's enqueued tasks and throttle counters: the run's own Redis database."""
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    keys = list(client.scan_iter(count=1000))
    if keys:
        client.delete(*keys)


def at_sizes(chosen: list[System], args) -> dict[tuple[str, int], System]:
    """One database and one gunicorn port per system and size (django-helpdesk only up to its
    size), so that the sizes can be measured side by side."""
    instances = {}
    for number, size in enumerate(args.sizes):
        for system in chosen:
            if system.name == "helpdesk" and size > args.helpdesk_max_size:
                continue
            instances[(system.name, size)] = replace(
                system,
                database=f"{system.database}_{size}",
                port=system.port + 10 * number,
                tokens=[],
                user_ids=[],
            )
    return instances


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    chosen = [s for s in systems() if s.name in args.systems]
    if any(s.name == "helpdesk" for s in chosen):
        ensure_helpdesk_venv()
    instances = at_sizes(chosen, args)
    servers = {}
    memory = PeakRss().start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    results: dict[str, list[Result]] = {}
    try:
        for (name, size), system in instances.items():
            prepare(system)
            emit(f"load_{name}_{size}_s", load_rows(system, size))
            servers[(name, size)] = start_gunicorn(system)
            memory.watch(servers[(name, size)].pid, f"gunicorn_worker_{name}", "gunicorn")
        _measure_all(instances, args, results)
    finally:
        peaks = memory.stop()
        _tear_down(instances, servers, args)
    figures = summarise(results)
    figures.update(ratios(figures, args.sizes))
    figures.update({f"peak_rss_mb_{label}": mb for label, mb in sorted(peaks.items())})
    for name, value in figures.items():
        emit(name, value)
    return figures


def _measure_all(instances: dict, args, results: dict[str, list[Result]]) -> None:
    """List and detail at every size, the query plans of ours at the largest, then creates."""
    ids = {(name, str(size)): owned_ids(system) for (name, size), system in instances.items()}
    entries = [(system, str(size)) for (_, size), system in instances.items()]
    for kind in ("list", "detail"):
        measure(kind, entries, ids, args, results)
    biggest = args.sizes[-1]
    if ("ours", biggest) in instances:
        ours = instances[("ours", biggest)]
        for name, plan in explain(f"{SERVER}/{ours.database}", ours.user_ids[0]).items():
            print(f"# EXPLAIN {name} at {biggest}:\n{plan}", flush=True)
    # Creates last (they add rows): each system at its largest size.
    largest = {}
    for (name, _), system in instances.items():
        largest[name] = system
    measure("create", [(system, "") for system in largest.values()], {}, args, results)


def _tear_down(instances: dict, servers: dict, args) -> None:
    for process in servers.values():
        stop(process)
    if "ours" in args.systems:
        clean_redis()
    if not args.keep:
        for system in instances.values():
            drop_database(system.database)


if __name__ == "__main__":
    main()
