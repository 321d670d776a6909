"""Create (or, with `--kind list`, list) throughput of variants of ours against the ceiling,
interleaved, with the CPU time each call costs the web workers, PostgreSQL and Redis.

For deciding a change: `python bench/api_ab.py '{"now": {}, "before": {"PYTHONPATH_": "/tmp/wt"}}'`
runs the working tree and a checkout of an earlier commit (`git worktree add /tmp/wt <rev>`),
each variant's value being environment overrides (`PYTHONPATH_` picks the code), against the
databases `bench/api.py --keep --sizes 1000` left. Rounds interleave the variants and the
ceiling. CPU time per create, read from /proc, moves less than the rates when the hypervisor
steals time (bench/steal.py): compare both."""

import argparse
import json
import os
import statistics
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_load import calls_for, run_load
from api_systems import REDIS_DB, issue_tokens, start_gunicorn, stop, systems
from memory import children_by_parent
from steal import cpu_times, steal_percent

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def named(prefix: str) -> list[int]:
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().startswith(prefix):
                found.append(int(comm.parent.name))
        except OSError:
            continue
    return found


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variants", help='JSON: {"name": {"ENV": "value", ...}, ...}')
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--kind", choices=["create", "list"], default="create")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    base = {s.name: s for s in systems()}
    entries = []
    for number, (name, env) in enumerate({**json.loads(args.variants), "ceiling": {}}.items()):
        env = dict(env)
        code = env.pop("PYTHONPATH_", None)
        if name == "ceiling":
            system = replace(base["ceiling"], database="bench_api_ceiling_1000")
        else:
            system = replace(
                base["ours"], database="bench_api_ours_1000", env={**base["ours"].env, **env}
            )
            if code:
                system = replace(system, pythonpath=Path(code))
        system.tokens = issue_tokens(system)
        entries.append((name, replace(system, port=18801 + number)))
    servers = {name: start_gunicorn(system) for name, system in entries}
    rates = {name: [] for name, _ in entries}
    cpu = {name: {"web": [], "postgres": [], "redis": []} for name, _ in entries}
    steal = []
    try:
        for _, system in entries:  # warm up
            run_load(system.port, system.tokens, calls_for(args.kind, system, {}), 2, 0)
        for round_no in range(args.rounds):
            for name, system in entries:
                pids = {
                    "web": children_by_parent().get(servers[name].pid, []),
                    "postgres": named("postgres"),
                    "redis": named("redis"),
                }
                before = {part: cpu_seconds(p) for part, p in pids.items()}
                ticks = cpu_times()
                calls = calls_for(args.kind, system, {})
                expect = 201 if args.kind == "create" else 200
                result = run_load(system.port, system.tokens, calls, args.seconds, expect)
                steal.append(steal_percent(ticks, cpu_times()))
                pids["postgres"] = named("postgres")  # with the backends that started meanwhile
                spent = {part: cpu_seconds(p) - before[part] for part, p in pids.items()}
                rates[name].append(result.per_s)
                for part, seconds in spent.items():
                    cpu[name][part].append(seconds * 1000 / max(result.calls, 1))
                print(f"{name} round {round_no + 1}: {result.per_s:.1f}/s", flush=True)
    finally:
        for process in servers.values():
            stop(process)
    ceiling = statistics.median(rates["ceiling"])
    print(f"steal_percent: {statistics.median(steal):.1f} (max {max(steal):.1f})")
    for name, values in rates.items():
        rate = statistics.median(values)
        parts = {part: statistics.median(v) for part, v in cpu[name].items()}
        print(
            f"{name}: {rate:.1f}/s, ratio {rate / ceiling:.3f}; CPU ms per {args.kind}: "
            + ", ".join(f"{part} {ms:.2f}" for part, ms in parts.items())
        )
    print(f"# the Redis database {REDIS_DB} holds the tasks the creates sent; flush it after")


if __name__ == "__main__":
    main()
