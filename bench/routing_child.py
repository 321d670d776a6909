"""The child side of bench/routing.py: run in a subprocess with Django configured for the
benchmark's database and Redis prefix; prints one JSON object on its last line."""

import argparse
import json
import statistics
import sys
import time

from routing import ROOT, parse_args

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


def submit_held(n: int) -> list[tuple[str, dict]]:
    """Submit n requests through the door, one transaction each as the API does, keeping the
    tasks their after-commit hooks would send instead of sending them: one message per
    request (a web process would gather several into one; the worker's own batching is what
    is measured, as before gathering came)."""
    from workflows import receivers

    customers, categories = request_mix()
    held = []
    receivers.gatherer.add = lambda name, pk: held.append((name, {"request_id": pk}))
    try:
        for i in range(n):
            submit(i, customers, categories)
    finally:
        del receivers.gatherer.add
    return held


def assign_times() -> list[tuple]:
    """(submit, route, assign) times of every request assigned."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT s.at, r.at, a.at FROM quality_event s
               JOIN quality_event r ON r.request_id = s.request_id AND r.transition = 'route'
               JOIN quality_event a ON a.request_id = s.request_id AND a.transition = 'assign'
               WHERE s.transition = 'submit'"""
        )
        return cursor.fetchall()


def run_routing(n: int) -> dict:
    """Throughput as the reference measures it: n new requests wait in the database, their n
    routing tasks are sent in one burst with the hooks' own `enqueue()`, and the worker's
    rate is n / (last `assign` event - first send). The producer is out of the measured span,
    so what is measured is the worker, not how fast one process can submit."""
    from django.utils import timezone

    from apps.eventlog.models import Event
    from workflows.enqueue import enqueue

    started = time.perf_counter()
    held = submit_held(n)
    submit_s = time.perf_counter() - started
    sent_at = timezone.now()
    for name, kwargs in held:
        enqueue(name, **kwargs)
    assigned = Event.objects.filter(kind="transition", transition="assign")
    wait_until(assigned.count, n, "requests assigned")
    rows = assign_times()
    span = (max(a for _, _, a in rows) - sent_at).total_seconds()
    return {
        "n": len(rows),
        "tasks": len(held),
        "seconds": span,
        "per_s": len(rows) / span,
        "submits_per_s": n / submit_s,
    }


def run_latency(n: int, rate: float) -> dict:
    """Create-to-assigned time of one request's real path (after-commit hook, broker, worker)
    at a steady `rate` of submits below the worker's capacity, so no backlog is measured."""
    from apps.eventlog.models import Event

    customers, categories = request_mix()
    due = time.monotonic()
    for i in range(n):
        time.sleep(max(0.0, due - time.monotonic()))
        submit(i, customers, categories)
        due += 1 / rate
    assigned = Event.objects.filter(kind="transition", transition="assign")
    wait_until(assigned.count, n, "requests assigned")
    rows = assign_times()
    to_assigned = [1000 * (a - s).total_seconds() for s, _, a in rows]
    to_routed = [1000 * (r - s).total_seconds() for s, r, _ in rows]
    return {
        "n": len(rows),
        "rate_per_s": rate,
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

    from workflows.routing import route_request, route_requests

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
    steps["reference"], steps["route_batch32"] = [], []
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
        # The worker's way: batches of 32, as the batch task takes them (per request figures).
        ids = [submit(n + i, customers, categories).pk for i in range(n)]
        for start in range(0, n - 31, 32):
            ms, q, outcomes = timed(lambda b=ids[start : start + 32]: route_requests(b))
            if not all("assigned" in outcome for outcome in outcomes.values()):
                raise SystemExit(f"routing of a batch: {outcomes}")
            steps["route_batch32"].append((ms / 32, q / 32))
    result = {}
    for name, values in steps.items():
        result[f"{name}_ms"] = statistics.median(ms for ms, _ in values)
        result[f"{name}_queries"] = statistics.median(q for _, q in values)
    return result


def main_child(args: argparse.Namespace) -> None:
    setup_django()
    if args.child == "setup":
        result = create_data(args)
    elif args.child == "routing":
        result = run_routing(args.n)
    elif args.child == "reference":
        result = run_reference(args.n)
    elif args.child == "latency":
        result = run_latency(args.n, args.rate)
    else:
        result = run_inprocess(args.n)
    print(json.dumps(result))


if __name__ == "__main__":
    main_child(parse_args())
