"""Benchmark: the SLA sweep over the same due clocks with 10k and with 1M open requests."""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASES = {"small": "bench_sla_small", "large": "bench_sla_large"}
CUSTOMERS = 1000
# The policy: any request, 24x7 (no calendar), first response 60 min, resolution 240 min,
# warning at 75 %, and no escalation policy: escalation steps that run transitions would change
# the requests between runs, so the sweep records warnings and breaches only.
FIRST_RESPONSE_S, RESOLUTION_S, WARNING = 3600, 14400, 0.75

LOAD_STEPS = {
    "customers": [
        # Only in this throwaway benchmark database: the reset between runs deletes the events
        # the previous sweep appended, which the append-only trigger would refuse.
        "ALTER TABLE quality_event DISABLE TRIGGER quality_event_append_only",
        """INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                                is_staff, is_active, date_joined)
           SELECT '!', false, 'bench-customer-' || g, '', '', '', false, true, %(now)s
           FROM generate_series(1, %(customers)s) g""",
        """INSERT INTO accounts_customer (organisation, tier, language, user_id)
           SELECT '', 'standard', 'en', id FROM auth_user ORDER BY id""",
        """INSERT INTO accounts_department (name, code, is_triage, created_at,
               assignment_strategy, rebalance_on_offline)
           SELECT 'Bench ' || g, 'bench-' || g, false, %(now)s, 'least_loaded', true
           FROM generate_series(1, 3) g""",
        """INSERT INTO sla_slapolicy ("order", name, active, priorities, customer_tiers,
               channels, first_response_minutes, resolution_minutes, warning_percent)
           VALUES (100, 'Bench 24x7', true, '[]', '[]', '[]', %(first_min)s,
                   %(resolution_min)s, %(warning_pct)s)""",
    ],
    # Every `step`-th of the first `due` * `step` requests was submitted two hours ago (its
    # first-response clock is past warning and breach); the others in the last half hour.
    "requests": [
        """INSERT INTO tickets_servicerequest (id, subject, description, channel, impact,
               urgency, priority, priority_overridden, escalation_level, state, version,
               last_event_seq, last_event_at, created_at, state_changed_at, reopen_count,
               customer_id, department_id, declared_attachments, tags, required_skills)
           SELECT g, 'Bench request ' || g, '', 'api', 'medium', 'medium', 3, false, 0,
                  CASE WHEN g %% 2 = 0 THEN 'queued' ELSE 'new' END, 1, 1, s.at, s.at, s.at, 0,
                  1 + g %% %(customers)s,
                  CASE WHEN g %% 2 = 0
                       THEN (SELECT max(id) FROM accounts_department) - g %% 3 END,
                  '[]', '[]', '{}'
           FROM generate_series(1, %(n)s) g,
                LATERAL (SELECT CASE WHEN g %% %(step)s = 0 AND g / %(step)s <= %(due)s
                                     THEN %(now)s - interval '2 hours'
                                     ELSE %(now)s - (g %% 1800) * interval '1 second'
                                END AS at) s""",
        "SELECT setval(pg_get_serial_sequence('tickets_servicerequest', 'id'), %(n)s)",
    ],
    "clocks": [
        """INSERT INTO sla_slaclock (kind, state, target_seconds, elapsed_seconds,
               running_since, deadline, next_check_at, percent_recorded, request_id, policy_id)
           SELECT k.kind, 'running', k.target, 0, r.created_at,
                  r.created_at + k.target * interval '1 second',
                  r.created_at + k.target * %(warning)s * interval '1 second', 0, r.id, p.id
           FROM tickets_servicerequest r
           CROSS JOIN (VALUES ('first_response', %(first_s)s), ('resolution', %(resolution_s)s))
               AS k(kind, target)
           CROSS JOIN sla_slapolicy p
           ORDER BY r.id, k.kind""",
    ],
    "events": [
        """INSERT INTO quality_event (seq, kind, transition, from_state, to_state, actor_role,
               at, payload, request_id)
           SELECT 1, 'transition', 'submit', '', 'new', 'customer', created_at, '{}', id
           FROM tickets_servicerequest ORDER BY id""",
        """CREATE TABLE bench_due AS SELECT id AS clock_id, request_id FROM sla_slaclock
           WHERE next_check_at <= %(now)s""",
    ],
}

RESET_SQL = [
    """DELETE FROM quality_event e USING bench_due d
       WHERE e.request_id = d.request_id AND e.seq > 1""",
    """UPDATE tickets_servicerequest r SET last_event_seq = 1, last_event_at = r.created_at
       FROM bench_due d WHERE r.id = d.request_id""",
    """UPDATE sla_slaclock c SET percent_recorded = 0, warned_at = NULL, breached_at = NULL,
           deadline = c.running_since + c.target_seconds * interval '1 second',
           next_check_at = c.running_since + c.target_seconds * %s * interval '1 second'
       FROM bench_due d WHERE c.id = d.clock_id""",
    "VACUUM sla_slaclock, tickets_servicerequest, quality_event",
]

COUNTS_SQL = {
    "open_requests": "SELECT count(*) FROM tickets_servicerequest",
    "sla_clocks": "SELECT count(*) FROM sla_slaclock",
    "events": "SELECT count(*) FROM quality_event",
    "due_clocks": "SELECT count(*) FROM bench_due",
}


# --- the parent: databases, loading, interleaved runs, report ---------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000, help="open requests, small state")
    parser.add_argument("--large", type=int, default=1_000_000, help="open requests, large state")
    parser.add_argument("--due", type=int, default=1000, help="due clocks in both states")
    parser.add_argument("--repeats", type=int, default=5, help="measured sweeps per state")
    parser.add_argument("--batch", type=int, default=500, help="the sweep's batch size")
    parser.add_argument("--child", choices=["measure", "explain"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    return parser.parse_args()


def server_sql(*statements: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def drop_databases() -> None:
    server_sql(*(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in DATABASES.values()))


def migrate(name: str) -> None:
    server_sql(f"CREATE DATABASE {name}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=child_env(name),
        check=True,
    )


def load(name: str, *, n: int, due: int, now: datetime) -> dict:
    """Fill the database with SQL; return the load time and the row counts."""
    if not 0 < due <= n:
        raise SystemExit(f"--due must be between 1 and the number of requests ({n})")
    params = {
        "now": now,
        "n": n,
        "due": due,
        "step": n // due,
        "customers": CUSTOMERS,
        "first_s": FIRST_RESPONSE_S,
        "resolution_s": RESOLUTION_S,
        "first_min": FIRST_RESPONSE_S // 60,
        "resolution_min": RESOLUTION_S // 60,
        "warning": WARNING,
        "warning_pct": round(WARNING * 100),
    }
    started = time.perf_counter()
    with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        for step, statements in LOAD_STEPS.items():
            step_started = time.perf_counter()
            with conn.transaction():
                for sql in statements:
                    conn.execute(sql, params)
            print(f"  {name} {step}: {time.perf_counter() - step_started:.1f} s", file=sys.stderr)
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")
        counts = {key: conn.execute(sql).fetchone()[0] for key, sql in COUNTS_SQL.items()}
    return {"load_s": time.perf_counter() - started, **counts}


def child_env(name: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings.test",
        "TEST_DATABASE_URL": f"{SERVER}/{name}",
    }


def run_child(mode: str, name: str, *, now: datetime, batch: int) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--db", name]
    command += ["--now", now.isoformat(), "--batch", str(batch)]
    done = subprocess.run(
        command, cwd=ROOT, env=child_env(name), check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(args: argparse.Namespace, now: datetime) -> dict[str, list[dict]]:
    """A B A B: the machine is noisy, so neither state gets the quiet minutes."""
    runs: dict[str, list[dict]] = {"small": [], "large": []}
    for _ in range(args.repeats):
        for label, name in DATABASES.items():
            result = run_child("measure", name, now=now, batch=args.batch)
            if result["recorded"] != 2 * args.due:
                raise SystemExit(f"{label}: recorded {result['recorded']}, not {2 * args.due}")
            runs[label].append(result)
    return runs


def report(args, loads: dict, runs: dict, plan: dict) -> None:
    small = statistics.median(r["seconds"] for r in runs["small"])
    large = statistics.median(r["seconds"] for r in runs["large"])
    figures = {
        "sweep_small_median_s": f"{small:.4f}",
        "sweep_large_median_s": f"{large:.4f}",
        "ratio_large_over_small": f"{large / small:.3f} (target <= 1.2)",
        "per_due_clock_ms_small": f"{1000 * small / args.due:.3f}",
        "per_due_clock_ms_large": f"{1000 * large / args.due:.3f}",
        "sweep_small_runs_s": " ".join(f"{r['seconds']:.4f}" for r in runs["small"]),
        "sweep_large_runs_s": " ".join(f"{r['seconds']:.4f}" for r in runs["large"]),
        "queries_per_sweep_small": runs["small"][0]["queries"],
        "queries_per_sweep_large": runs["large"][0]["queries"],
        "thresholds_recorded_per_sweep": runs["large"][0]["recorded"],
    }
    for label in DATABASES:
        for key, value in loads[label].items():
            figures[f"{key}_{label}"] = f"{value:.1f}" if key == "load_s" else value
    figures["due_query_uses_slaclock_due"] = "yes" if plan["uses_index"] else "NO"
    for name, value in figures.items():
        print(f"{name}: {value}")
    print("due_query_plan_large:")
    print("\n".join(f"  {line}" for line in plan["plan"]))


def main_parent(args: argparse.Namespace) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    sizes = {"small": args.small, "large": args.large}
    # A plain kill must still reach the `finally` that drops the databases.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    drop_databases()
    try:
        loads = {}
        for label, name in DATABASES.items():
            migrate(name)
            loads[label] = load(name, n=sizes[label], due=args.due, now=now)
            print(f"loaded {label}: {loads[label]}", file=sys.stderr)
        runs = measure(args, now)
        plan = run_child("explain", DATABASES["large"], now=now, batch=args.batch)
        report(args, loads, runs, plan)
    finally:
        drop_databases()


# --- the child: one database, Django configured for it -----------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def reset_due_clocks() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in RESET_SQL:
            cursor.execute(sql, [WARNING] if "%s" in sql else None)


def time_sweep(now: datetime, batch: int) -> dict:
    """Sweep until nothing is due, as beat would; count the queries on the way."""
    from django.db import connection

    from workflows.sla_sweep import sweep_due_clocks

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    connection.ensure_connection()
    recorded = 0
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        while done := sweep_due_clocks(now=now, batch=batch):
            recorded += done
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "recorded": recorded, "queries": queries}


def explain_due_query(now: datetime, batch: int) -> dict:
    from django.db import connection

    from apps.sla.models import SLAClock

    due = (
        SLAClock.objects.filter(state="running", next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("request_id")[:batch]
    )
    sql, params = due.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    return {"plan": plan, "uses_index": any("slaclock_due" in line for line in plan)}


def main_child(args: argparse.Namespace) -> None:
    setup_django()
    now = datetime.fromisoformat(args.now)
    reset_due_clocks()
    if args.child == "measure":
        result = time_sweep(now, args.batch)
    else:
        result = explain_due_query(now, args.batch)
    print(json.dumps(result))


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.child:
        main_child(arguments)
    else:
        main_parent(arguments)
