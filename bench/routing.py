"""Benchmark: requests routed and assigned per second by a real worker, against one-UPDATE tasks."""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "bench_routing"
DROP_DATABASE = f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"
REDIS_URL = "redis://127.0.0.1:6379/15"
QUEUES = "routing,default"
# What runs inside Django in each subprocess: data set-up, the measured runs, profiling.
CHILD = Path(__file__).resolve().parent / "routing_child.py"
# Subjects and descriptions that the rules below send to each department (or to triage).
RESET_SQL = [
    # Each routing run starts from the same state: no requests, agents never assigned.
    "TRUNCATE tickets_servicerequest CASCADE",
    "UPDATE accounts_agent SET last_assigned_at = NULL",
    "UPDATE auth_user SET last_login = NULL WHERE username LIKE 'bench-ref-%'",
    "VACUUM ANALYZE",
]


# --- the parent: database, Redis prefix, worker, interleaved runs, report ----------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="requests (and tasks) per run")
    parser.add_argument("--repeats", type=int, default=3, help="measured runs of each kind")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (prefork)")
    parser.add_argument("--agents", type=int, default=8, help="online agents per department")
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured requests and tasks")
    parser.add_argument("--latency-requests", type=int, default=200, help="paced requests")
    parser.add_argument("--rate", type=float, default=10, help="paced submits per second")
    parser.add_argument(
        "--child", choices=["setup", "routing", "reference", "latency", "inprocess"]
    )
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def server_sql(*statements: str, database: str = "postgres") -> None:
    with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def child_env(prefix: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings.test",
        "TEST_DATABASE_URL": f"{SERVER}/{DATABASE}",
        "TEST_REDIS_URL": REDIS_URL,
        "SERVICEDESK_TEST_BROKER_PREFIX": prefix,
        # As in production: workers keep rules and policies for a few seconds.
        "SERVICEDESK_CONFIG_CACHE_SECONDS": "10",
        # Routing is measured: a submit goes straight to routing, not to the chatbot first.
        "SERVICEDESK_CHATBOT_ENABLED": "false",
    }


def run_child(mode: str, args: argparse.Namespace, prefix: str, n: int = 0) -> dict:
    command = [sys.executable, str(CHILD), "--child", mode, "--n", str(n)]
    for option in ("requests", "agents", "customers", "warmup", "rate"):
        command += [f"--{option}", str(getattr(args, option))]
    done = subprocess.run(
        command, cwd=ROOT, env=child_env(prefix), check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_worker(args: argparse.Namespace, prefix: str, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "servicedesk", "worker", "-Q", QUEUES]
    command += ["--concurrency", str(args.concurrency), "--pool", "prefork"]
    command += ["-I", "bench.reference_tasks", "--loglevel", "WARNING"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    command += ["--hostname", f"bench-routing-{os.getpid()}@%h"]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=child_env(prefix),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen) -> None:
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        if worker.poll() is not None:
            return
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue


def delete_redis_keys(prefix: str) -> int:
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
    return len(keys)


def measure(args: argparse.Namespace, prefix: str) -> dict[str, list[dict]]:
    """A B A B: the machine is noisy, so neither kind gets the quiet minutes."""
    runs: dict[str, list[dict]] = {"routing": [], "reference": []}
    for _ in range(args.repeats):
        for kind in runs:
            server_sql(*RESET_SQL, database=DATABASE)
            result = run_child(kind, args, prefix, n=args.requests)
            print(f"{kind}: {result}", file=sys.stderr)
            runs[kind].append(result)
    return runs


def report(args, setup: dict, runs: dict, latency: dict, inprocess: dict) -> None:
    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    routing = median("routing", "per_s")
    reference = median("reference", "per_s")
    figures = {
        "routing_throughput_per_s": f"{routing:.1f}",
        "reference_update_tasks_per_s": f"{reference:.1f}",
        "ratio_routing_over_reference": f"{routing / reference:.3f} (target >= 0.5)",
        "create_to_assigned_p50_ms": f"{latency['p50_ms']:.0f}",
        "create_to_assigned_p95_ms": f"{latency['p95_ms']:.0f}",
        "create_to_routed_p50_ms": f"{latency['routed_p50_ms']:.0f}",
        "latency_paced_submits": f"{latency['n']} at {args.rate:g}/s",
        "producer_submits_per_s": f"{median('routing', 'submits_per_s'):.1f}",
        "routing_runs_per_s": " ".join(f"{r['per_s']:.1f}" for r in runs["routing"]),
        "reference_runs_per_s": " ".join(f"{r['per_s']:.1f}" for r in runs["reference"]),
        "queries_per_routed_request": inprocess["route_queries"],
        "queries_submit": inprocess["submit_queries"],
        "queries_reference_task": inprocess["reference_queries"],
        "inprocess_submit_ms_p50": f"{inprocess['submit_ms']:.2f}",
        "inprocess_route_and_assign_ms_p50": f"{inprocess['route_ms']:.2f}",
        "inprocess_reference_update_ms_p50": f"{inprocess['reference_ms']:.2f}",
        "inprocess_route_and_assign_in_batches_of_32_ms_per_request": (
            f"{inprocess['route_batch32_ms']:.2f}"
        ),
        "queries_per_request_in_batches_of_32": f"{inprocess['route_batch32_queries']:.1f}",
        "requests_per_run": args.requests,
        "worker": f"prefork, concurrency {args.concurrency}, queues {QUEUES}",
        **setup,
    }
    for name, value in figures.items():
        print(f"{name}: {value}")


def main_parent(args: argparse.Namespace) -> None:
    prefix = f"bench-routing-{uuid.uuid4().hex[:8]}:"
    # A plain kill must still reach the `finally` that drops the database and the keys.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server_sql(DROP_DATABASE)
    with tempfile.NamedTemporaryFile("w+", prefix="bench-routing-", suffix=".log") as log:
        run_all(args, prefix, log)


def run_all(args: argparse.Namespace, prefix: str, log) -> None:
    worker = None
    try:
        server_sql(f"CREATE DATABASE {DATABASE}")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=child_env(prefix),
            check=True,
        )
        setup = run_child("setup", args, prefix)
        print(f"setup: {setup}", file=sys.stderr)
        worker = start_worker(args, prefix, log)
        # Unmeasured: the worker boots, its processes connect and import, caches fill.
        for kind in ("reference", "routing"):
            server_sql(*RESET_SQL, database=DATABASE)
            run_child(kind, args, prefix, n=args.warmup)
        runs = measure(args, prefix)
        server_sql(*RESET_SQL, database=DATABASE)
        latency = run_child("latency", args, prefix, n=args.latency_requests)
        print(f"latency: {latency}", file=sys.stderr)
        stop_worker(worker)
        server_sql(*RESET_SQL, database=DATABASE)
        inprocess = run_child("inprocess", args, prefix, n=min(200, args.requests))
        report(args, setup, runs, latency, inprocess)
    except BaseException:
        log.seek(0)
        print(f"worker log (tail):\n{log.read()[-4000:]}", file=sys.stderr)
        raise
    finally:
        if worker is not None:
            stop_worker(worker)
        server_sql(DROP_DATABASE)
        print(f"redis keys removed: {delete_redis_keys(prefix)}", file=sys.stderr)


if __name__ == "__main__":
    main_parent(parse_args())
