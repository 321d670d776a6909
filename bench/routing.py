"""Benchmark: requests routed and assigned per second by a real worker, against one-UPDATE tasks."""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
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
# Subjects and descriptions that the rules below send to each department (or to triage).
TEXTS = [
    ("VPN drops every hour", "Since the update my VPN client disconnects about once an hour."),
    ("Forgot my password", "I cannot login to the portal any more, please reset my password."),
    ("Printer on floor 3 jams", "The printer near the kitchen jams on every second page."),
    ("Mail outage in Berlin", "Since 9:00 nobody in the Berlin office receives e-mail."),
    ("Need a new laptop", "My laptop is five years old and the battery lasts 20 minutes."),
    ("Wifi is slow in room 12", "Meetings in room 12 keep freezing, the wifi is very slow."),
    ("Invoice question", "The last invoice lists a licence we cancelled in March."),
    ("2FA codes rejected", "My 2fa codes are rejected although the phone clock is right."),
]
CHANNELS = ["api", "web", "email", "chat"]
TIERS = ["standard", "standard", "gold", "platinum"]
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
    parser.add_argument("--child", choices=["setup", "routing", "reference", "inprocess"])
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
    }


def run_child(mode: str, args: argparse.Namespace, prefix: str, n: int = 0) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--n", str(n)]
    for option in ("requests", "agents", "customers", "warmup"):
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


def report(args, setup: dict, runs: dict, inprocess: dict) -> None:
    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    routing = median("routing", "per_s")
    reference = median("reference", "per_s")
    figures = {
        "routing_throughput_per_s": f"{routing:.1f}",
        "reference_update_tasks_per_s": f"{reference:.1f}",
        "ratio_routing_over_reference": f"{routing / reference:.3f} (target >= 0.5)",
        "create_to_assigned_p50_ms": f"{median('routing', 'p50_ms'):.0f}",
        "create_to_assigned_p95_ms": f"{median('routing', 'p95_ms'):.0f}",
        "create_to_routed_p50_ms": f"{median('routing', 'routed_p50_ms'):.0f}",
        "submits_per_s_while_routing": f"{median('routing', 'submits_per_s'):.1f}",
        "routing_runs_per_s": " ".join(f"{r['per_s']:.1f}" for r in runs["routing"]),
        "reference_runs_per_s": " ".join(f"{r['per_s']:.1f}" for r in runs["reference"]),
        "queries_per_routed_request": inprocess["route_queries"],
        "queries_submit": inprocess["submit_queries"],
        "queries_reference_task": inprocess["reference_queries"],
        "inprocess_submit_ms_p50": f"{inprocess['submit_ms']:.2f}",
        "inprocess_route_and_assign_ms_p50": f"{inprocess['route_ms']:.2f}",
        "inprocess_reference_update_ms_p50": f"{inprocess['reference_ms']:.2f}",
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
        stop_worker(worker)
        server_sql(*RESET_SQL, database=DATABASE)
        inprocess = run_child("inprocess", args, prefix, n=min(200, args.requests))
        report(args, setup, runs, inprocess)
    except BaseException:
        log.seek(0)
        print(f"worker log (tail):\n{log.read()[-4000:]}", file=sys.stderr)
        raise
    finally:
        if worker is not None:
            stop_worker(worker)
        server_sql(DROP_DATABASE)
        print(f"redis keys removed: {delete_redis_keys(prefix)}", file=sys.stderr)


# --- the children: Django configured for the benchmark database and Redis prefix ---------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def create_data(args: argparse.Namespace) -> dict:
    """Three least-loaded departments (one of them triage) with online agents that can take
    every request, categories, five routing rules, a 24x7 SLA policy, customers, and the rows
    the reference task updates."""
    from django.contrib.auth import get_user_model

    from apps.accounts.models import Agent, Customer, Department
    from apps.routing.models import RoutingRule
    from apps.sla.models import SLAPolicy
    from apps.tickets.models import Category

    user_model = get_user_model()
    codes = ("network", "accounts", "service")
    departments = {
        code: Department.objects.create(
            name=f"Bench {code}",
            code=code,
            assignment_strategy="least_loaded",
            is_triage=code == "service",
        )
        for code in codes
    }
    capacity = min(32767, args.requests + args.warmup)
    for code, department in departments.items():
        for i in range(args.agents):
            user = user_model.objects.create(username=f"bench-agent-{code}-{i}", password="!")
            agent = Agent.objects.create(user=user, capacity=capacity, availability="online")
            agent.departments.add(department)
    for name, code in (("Network", "network"), ("Accounts", "accounts"), ("Hardware", "service")):
        Category.objects.create(name=name, default_department=departments[code])
    rules = [
        {"name": "Outages", "pattern": r"\b(outage|down)\b", "priority": 1, "dept": "network"},
        {"name": "Network words", "keywords": ["vpn", "wifi", "network"], "dept": "network"},
        {"name": "Sign-in words", "keywords": ["password", "login", "2fa"], "dept": "accounts"},
        {"name": "Chinese speakers", "languages": ["zh-hans"], "dept": "service"},
        {"name": "Platinum first", "customer_tiers": ["platinum"], "raise_priority": True},
    ]
    for order, rule in enumerate(rules):
        code = rule.pop("dept", None)
        RoutingRule.objects.create(
            order=order, department=departments.get(code), tags=["bench"], **rule
        )
    SLAPolicy.objects.create(name="Bench 24x7", first_response_minutes=60, resolution_minutes=480)
    users = user_model.objects.bulk_create(
        user_model(username=f"bench-customer-{i}", password="!") for i in range(args.customers)
    )
    Customer.objects.bulk_create(
        Customer(user=u, tier=TIERS[i % len(TIERS)], language="zh-hans" if i % 10 == 0 else "en")
        for i, u in enumerate(users)
    )
    user_model.objects.bulk_create(
        user_model(username=f"bench-ref-{i}", password="!", is_active=False)
        for i in range(max(args.requests, args.warmup))
    )
    from django.conf import settings

    return {
        "CELERY_DB_REUSE_MAX": settings.CELERY_DB_REUSE_MAX,
        "CELERY_WORKER_PREFETCH_MULTIPLIER": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
        "CELERY_TASK_ACKS_LATE": settings.CELERY_TASK_ACKS_LATE,
        "data": f"3 least_loaded departments x {args.agents} online agents (capacity "
        f"{capacity}), {len(rules)} routing rules, 1 SLA policy, {args.customers} customers",
    }


def wait_until(count, n: int, what: str, stall_s: float = 60) -> None:
    """Poll `count()` until it reaches n; give up when it stops moving for `stall_s`."""
    last, moved = -1, time.monotonic()
    while (done := count()) < n:
        if done != last:
            last, moved = done, time.monotonic()
        elif time.monotonic() - moved > stall_s:
            raise SystemExit(f"stalled at {done} of {n} {what}; is the worker running?")
        time.sleep(0.1)


def submit(i: int, customers: list, categories: list):
    from apps.accounts.actors import Actor, Role
    from apps.tickets.services import do_submit_request

    customer = customers[i % len(customers)]
    subject, description = TEXTS[i % len(TEXTS)]
    return do_submit_request(
        actor=Actor(role=Role.CUSTOMER, user=customer.user, customer_id=customer.pk),
        customer=customer,
        subject=f"{subject} ({i})",
        description=description,
        channel=CHANNELS[i % len(CHANNELS)],
        category=categories[i % len(categories)],
    )


def request_mix() -> tuple[list, list]:
    from apps.accounts.models import Customer
    from apps.tickets.models import Category

    customers = list(Customer.objects.select_related("user").order_by("pk"))
    return customers, [None, *Category.objects.order_by("pk")]


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def run_routing(n: int) -> dict:
    """Submit n requests, one transaction each, as the API does; wait until all are assigned;
    read the timings from the event log."""
    from django.db import connection

    from apps.quality.models import Event

    customers, categories = request_mix()
    started = time.perf_counter()
    for i in range(n):
        submit(i, customers, categories)
    submit_s = time.perf_counter() - started
    assigned = Event.objects.filter(kind="transition", transition="assign")
    wait_until(assigned.count, n, "requests assigned")
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT s.at, r.at, a.at FROM quality_event s
               JOIN quality_event r ON r.request_id = s.request_id AND r.transition = 'route'
               JOIN quality_event a ON a.request_id = s.request_id AND a.transition = 'assign'
               WHERE s.transition = 'submit'"""
        )
        rows = cursor.fetchall()
    span = (max(a for _, _, a in rows) - min(s for s, _, _ in rows)).total_seconds()
    to_assigned = [1000 * (a - s).total_seconds() for s, _, a in rows]
    to_routed = [1000 * (r - s).total_seconds() for s, r, _ in rows]
    return {
        "n": len(rows),
        "seconds": span,
        "per_s": len(rows) / span,
        "submits_per_s": n / submit_s,
        "p50_ms": percentile(to_assigned, 50),
        "p95_ms": percentile(to_assigned, 95),
        "routed_p50_ms": percentile(to_routed, 50),
    }


def run_reference(n: int) -> dict:
    """Enqueue n reference tasks as the door's hooks enqueue routing; wait until all ran."""
    from django.contrib.auth import get_user_model
    from django.db.models import Max
    from django.utils import timezone

    from bench.reference_tasks import REFERENCE_TASK
    from workflows.enqueue import enqueue

    rows = get_user_model().objects.filter(username__startswith="bench-ref-")
    ids = list(rows.order_by("pk").values_list("pk", flat=True)[:n])
    started = timezone.now()
    for pk in ids:
        enqueue(REFERENCE_TASK, user_id=pk)
    touched = rows.filter(last_login__isnull=False)
    wait_until(touched.count, n, "reference tasks done")
    span = (touched.aggregate(last=Max("last_login"))["last"] - started).total_seconds()
    return {"n": n, "seconds": span, "per_s": n / span}


def run_inprocess(n: int) -> dict:
    """Without Celery (the worker is stopped): each step's queries and time, as a function."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from workflows.routing import route_request

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    def timed(step) -> tuple[float, int, object]:
        nonlocal queries
        queries, started = 0, time.perf_counter()
        result = step()
        return 1000 * (time.perf_counter() - started), queries, result

    customers, categories = request_mix()
    users = get_user_model().objects
    ref_ids = list(users.filter(username__startswith="bench-ref-").values_list("pk", flat=True))
    steps: dict[str, list[tuple[float, int]]] = {k: [] for k in ("submit", "route")}
    steps["reference"] = []
    with connection.execute_wrapper(count):
        for i in range(n):
            ms, q, request = timed(lambda i=i: submit(i, customers, categories))
            steps["submit"].append((ms, q))
            # The routing task routes and assigns in one go.
            ms, q, result = timed(lambda pk=request.pk: route_request(pk))
            if not result.startswith("routed") or "assigned" not in result:
                raise SystemExit(f"routing of request {request.pk}: {result}")
            steps["route"].append((ms, q))
            ms, q, _ = timed(
                lambda i=i: users.filter(pk=ref_ids[i]).update(last_login=timezone.now())
            )
            steps["reference"].append((ms, q))
    result = {}
    for name, values in steps.items():
        result[f"{name}_ms"] = statistics.median(ms for ms, _ in values)
        result[f"{name}_queries"] = statistics.median_high(q for _, q in values)
    return result


def main_child(args: argparse.Namespace) -> None:
    setup_django()
    if args.child == "setup":
        result = create_data(args)
    elif args.child == "routing":
        result = run_routing(args.n)
    elif args.child == "reference":
        result = run_reference(args.n)
    else:
        result = run_inprocess(args.n)
    print(json.dumps(result))


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.child:
        main_child(arguments)
    else:
        main_parent(arguments)
