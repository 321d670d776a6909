"""The benchmark suite in one command: API vs ceiling and peer, the agent's pages, SLA sweep,
routing, memory.

`.venv/bin/python bench/run.py [--quick] [--only api pages sla routing]` (or `make bench`, `make
bench ARGS=--quick`). Prints `name: value` lines as it goes and a summary against the targets.
"""

import argparse
import contextlib
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import api  # noqa: E402  bench/ is on sys.path only after the line above
from memory import PeakRss  # noqa: E402  bench/ is on sys.path only after the line above
from steal import cpu_times, steal_percent  # noqa: E402  bench/ is on sys.path only after the line above

FULL = {
    "api": ["--sizes", "1000", "1000000", "--seconds", "20", "--rounds", "3"],
    "pages": ["--sizes", "1000", "1000000", "--seconds", "10", "--rounds", "3"],
    "sla": [],  # its defaults: 10k and 1M open requests, 1,000 due clocks, 5 sweeps each
    "routing": [],  # its defaults: 2,000 requests, 3 rounds
}
QUICK = {
    "api": ["--sizes", "200", "5000", "--seconds", "5", "--rounds", "2"],
    "pages": ["--sizes", "1000", "5000", "--seconds", "3", "--rounds", "2"],
    "sla": ["--small", "1000", "--large", "20000", "--due", "100", "--repeats", "3"],
    "routing": ["--requests", "300", "--repeats", "2", "--warmup", "20"],
}
# (figure, target, higher is better); {small} and {big} are the API's sizes, {psmall} and
# {pbig} the pages'.
TARGETS = [
    ("ratio_create_ours_over_ceiling", 0.6, True),
    ("ratio_create_ours_over_helpdesk", 2.0, True),
    ("ratio_list_ours_over_ceiling_at_{small}", 0.5, True),
    ("ratio_ours_list_p50_{big}_over_{small}", 1.2, False),
    ("ratio_ours_detail_p50_{big}_over_{small}", 1.2, False),
    ("ratio_queue_p50_{pbig}_over_{psmall}", 1.2, False),
    ("ratio_request_page_p50_{pbig}_over_{psmall}", 1.2, False),
    ("ratio_large_over_small", 1.2, False),
    ("ratio_routing_over_reference", 0.5, True),
]


def run_script(script: str, args: list[str], figures: dict, memory: PeakRss | None = None) -> None:
    """Run a benchmark script, echo its output, keep its `name: value` lines."""
    before = cpu_times()
    process = subprocess.Popen(
        [sys.executable, str(BENCH / script), *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=BENCH.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    if memory is not None:
        memory.watch(process.pid, "celery_worker", "celery", children_only=True)
    try:
        for line in process.stdout:
            print(line, end="", flush=True)
            name, sep, value = line.partition(": ")
            if sep and " " not in name.strip():
                with contextlib.suppress(ValueError, IndexError):
                    figures[name.strip()] = float(value.split()[0])
    finally:
        if process.poll() is None:
            process.terminate()  # the scripts stop their workers and drop their databases
        process.wait()
    stem = script.removesuffix(".py")
    print(f"{stem}_steal_percent: {steal_percent(before, cpu_times()):.1f}", flush=True)
    if process.returncode:
        print(f"# {script} exited with {process.returncode}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs")
    parser.add_argument("--only", nargs="+", choices=["api", "pages", "sla", "routing"])
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    parts = args.only or ["api", "pages", "sla", "routing"]
    started = time.perf_counter()
    print(f"# bench started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, quick={args.quick}")
    figures: dict[str, float] = {}
    if "api" in parts:
        print("# --- API: ours, the ceiling, django-helpdesk ---", flush=True)
        figures.update(api.main(plan["api"]))
    if "pages" in parts:
        print("# --- the agent's queue and request page beside the ceiling's list ---", flush=True)
        run_script("pages.py", plan["pages"], figures)
    if "sla" in parts:
        print("# --- SLA sweep scaling ---", flush=True)
        run_script("sla_sweep.py", plan["sla"], figures)
    if "routing" in parts:
        print("# --- routing throughput against the one-UPDATE reference ---", flush=True)
        memory = PeakRss().start()
        run_script("routing.py", plan["routing"], figures, memory)
        figures.update({f"peak_rss_mb_{k}": v for k, v in memory.stop().items()})
    summary(figures, plan, time.perf_counter() - started)


def _sizes(args: list[str]) -> list[str]:
    return args[args.index("--sizes") + 1 : args.index("--sizes") + 3]


def summary(figures: dict[str, float], plan: dict[str, list[str]], seconds: float) -> None:
    (small, big), (psmall, pbig) = _sizes(plan["api"]), _sizes(plan["pages"])
    print("# --- summary ---")
    for name, target, higher in TARGETS:
        name = name.format(small=small, big=big, psmall=psmall, pbig=pbig)
        value = figures.get(name)
        if value is None:
            print(f"{name}: missing")
            continue
        met = value >= target if higher else value <= target
        sign = ">=" if higher else "<="
        print(f"{name}: {value:.3f}  (target {sign} {target}: {'met' if met else 'NOT met'})")
    for name in sorted(figures):
        if name.startswith("peak_rss_mb_"):
            print(f"{name}: {figures[name]:.1f}")
    print(f"bench_total_s: {seconds:.0f}")


if __name__ == "__main__":
    main()
