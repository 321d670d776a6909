"""Benchmark: the agents' request list and request page at 1k and at 100k requests."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASES = {"small": "bench_admin_small", "large": "bench_admin_large"}
AGENT = "bench-agent"
# The open work is the same at both sizes (what a desk's agents hold at once, spread over
# queued, assigned, in progress and pending); the rest is closed history with stopped clocks,
# which is what grows as a desk gets older.
OPEN_REQUESTS = 500
# Messages (and message events) of each open request, beside its first message and two events.
MESSAGES = 12

LOAD = [
    """INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                            is_staff, is_active, date_joined)
       SELECT '!', false, 'bench-customer-' || g, 'Customer', g::text, '', false, true, now()
       FROM generate_series(1, 500) g""",
    """INSERT INTO accounts_customer (organisation, tier, language, user_id)
       SELECT 'Org ' || (id %% 50), 'standard', 'en', id FROM auth_user ORDER BY id""",
    """INSERT INTO accounts_department (name, code, is_triage, assignment_strategy,
                                       rebalance_on_offline, created_at)
       SELECT 'Bench ' || g, 'bench-' || g, false, 'manual', true, now()
       FROM generate_series(1, 3) g""",
    """INSERT INTO sla_slapolicy ("order", name, active, priorities, customer_tiers, channels,
                                 first_response_minutes, resolution_minutes, warning_percent)
       VALUES (100, 'Bench 24x7', true, '[]', '[]', '[]', 60, 480, 75)""",
    # Requests: every n / OPEN_REQUESTS-th open, in department 1 + g %% 3; the open ones of
    # department 1 are assigned to the benchmark agent (agent id 1) unless queued.
    """INSERT INTO tickets_servicerequest (id, subject, description, channel, impact, urgency,
           priority, priority_overridden, escalation_level, state, version, last_event_seq,
           last_event_at, created_at, state_changed_at, reopen_count, customer_id,
           department_id, assignee_id, declared_attachments, tags, required_skills)
       SELECT g, 'Bench request ' || g, 'Something broke, case ' || g, 'api', 'medium',
              'medium', 1 + g %% 4, false, 0, s.state, 4, 4, s.at, s.at, s.at, 0,
              (SELECT min(id) FROM accounts_customer) + g %% 500,
              (SELECT min(id) FROM accounts_department) + g %% 3,
              CASE WHEN s.state IN ('assigned', 'in_progress', 'pending_customer')
                        AND g %% 3 = 0 THEN %(agent)s END,
              '[]', '[]', '{}'
       FROM generate_series(1, %(n)s) g,
            LATERAL (SELECT CASE WHEN g %% %(every)s = 0
                                 THEN (ARRAY['queued', 'assigned', 'in_progress',
                                             'pending_customer'])[1 + (g / %(every)s) %% 4]
                                 ELSE 'closed' END AS state,
                            now() - (g %% 5000) * interval '1 minute' AS at) s""",
    "SELECT setval(pg_get_serial_sequence('tickets_servicerequest', 'id'), %(n)s)",
    """INSERT INTO sla_slaclock (kind, state, target_seconds, elapsed_seconds, running_since,
           deadline, next_check_at, percent_recorded, request_id, policy_id, warned_at,
           breached_at, stopped_at)
       SELECT k.kind, CASE WHEN r.state = 'closed' THEN 'stopped' ELSE 'running' END,
              k.target, 0,
              CASE WHEN r.state = 'closed' THEN NULL ELSE r.created_at END,
              CASE WHEN r.state = 'closed' THEN NULL
                   ELSE r.created_at + k.target * interval '1 second' END,
              NULL, 0, r.id, p.id, NULL, NULL,
              CASE WHEN r.state = 'closed' THEN r.created_at END
       FROM tickets_servicerequest r
       CROSS JOIN (VALUES ('first_response', 3600), ('resolution', 28800)) AS k(kind, target)
       CROSS JOIN sla_slapolicy p""",
    """INSERT INTO tickets_message (author_role, visibility, body, created_at, request_id,
                                   author_id)
       SELECT 'customer', 'public', 'Please help with case ' || r.id, r.created_at, r.id,
              c.user_id
       FROM tickets_servicerequest r JOIN accounts_customer c ON c.id = r.customer_id""",
    """INSERT INTO quality_event (seq, kind, transition, from_state, to_state, actor_role, at,
                                 payload, request_id, department_id)
       SELECT e.seq, 'transition', e.name, e.from_state, e.to_state, 'system', r.created_at,
              '{}', r.id, CASE WHEN e.seq > 1 THEN r.department_id END
       FROM tickets_servicerequest r
       CROSS JOIN (VALUES (1, 'submit', '', 'new'), (2, 'route', 'new', 'queued'))
           AS e(seq, name, from_state, to_state)""",
    # The open requests' conversations: MESSAGES more messages each (customer and agent in
    # turn, every fourth an internal note) and an event for each, as a worked request has.
    # The same rows at every size: the request page shows one request, whatever the table.
    """INSERT INTO tickets_message (author_role, visibility, body, created_at, request_id,
                                   author_id)
       SELECT CASE WHEN m %% 2 = 1 THEN 'agent' ELSE 'customer' END,
              CASE WHEN m %% 4 = 3 THEN 'internal' ELSE 'public' END,
              'Reply ' || m || E' on case ' || r.id || E'.\n\n* a point\n* **another** one',
              r.created_at + m * interval '1 minute', r.id,
              CASE WHEN m %% 2 = 1 THEN (SELECT user_id FROM accounts_agent WHERE id = %(agent)s)
                   ELSE c.user_id END
       FROM tickets_servicerequest r JOIN accounts_customer c ON c.id = r.customer_id
       CROSS JOIN generate_series(1, %(messages)s) m
       WHERE r.state <> 'closed'""",
    """INSERT INTO quality_event (seq, kind, transition, from_state, to_state, actor_role, at,
                                 payload, request_id, department_id)
       SELECT 2 + m, 'message', '', r.state, r.state,
              CASE WHEN m %% 2 = 1 THEN 'agent' ELSE 'customer' END,
              r.created_at + m * interval '1 minute', '{}', r.id, r.department_id
       FROM tickets_servicerequest r CROSS JOIN generate_series(1, %(messages)s) m
       WHERE r.state <> 'closed'""",
    """UPDATE tickets_servicerequest SET last_event_seq = 2 + %(messages)s
       WHERE state <> 'closed'""",
]


LOAD_TABLES = ("tickets_servicerequest", "sla_slaclock", "tickets_message", "quality_event")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5, help="measured rounds (A B A B)")
    parser.add_argument("--child", choices=["load", "measure", "explain"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def child_env(name: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings.test",
        "TEST_DATABASE_URL": f"{SERVER}/{name}",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }


def run_child(mode: str, name: str, n: int) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--n", str(n)]
    done = subprocess.run(command, cwd=ROOT, env=child_env(name), capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{mode} on {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepare(name: str, n: int) -> dict:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=child_env(name),
        check=True,
    )
    return run_child("load", name, n)


def main_parent(args: argparse.Namespace) -> None:
    sizes = {"small": args.small, "large": args.large}
    loads = {label: prepare(DATABASES[label], n) for label, n in sizes.items()}
    runs: dict[str, list[dict]] = {"small": [], "large": []}
    for _ in range(args.repeats):
        for label, name in DATABASES.items():
            runs[label].append(run_child("measure", name, sizes[label]))
    print(f"requests: small {sizes['small']:,}, large {sizes['large']:,}; open: {OPEN_REQUESTS}")
    for label in sizes:
        print(f"  {label}: loaded in {loads[label]['load_s']:.1f} s, {loads[label]['counts']}")
    print(f"{'page':<28}{'small ms':>10}{'large ms':>10}{'ratio':>8}{'queries':>14}")
    for page in runs["small"][0]:
        small = statistics.median(r[page]["ms"] for r in runs["small"])
        large = statistics.median(r[page]["ms"] for r in runs["large"])
        queries = f"{runs['small'][0][page]['queries']} / {runs['large'][0][page]['queries']}"
        print(f"{page:<28}{small:>10.1f}{large:>10.1f}{large / small:>8.2f}{queries:>14}")
    print("target: ratio <= 1.5 and the same number of queries at both sizes")
    for _label, name in DATABASES.items():
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# --- the child: one database, Django configured for it ----------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_load(n: int) -> dict:
    """The agent through the ORM (a handful of rows), the requests with bulk SQL."""
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from apps.accounts.models import Agent, Department

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in LOAD[:4]:
            cursor.execute(sql, {})
    user = User.objects.create_user(AGENT, password="!", is_staff=True)
    user.groups.add(Group.objects.get(name="Agents"))
    agent = Agent.objects.create(user=user)
    agent.departments.add(Department.objects.order_by("pk").first())
    params = {"n": n, "every": max(1, n // OPEN_REQUESTS), "messages": MESSAGES}
    with connection.cursor() as cursor:
        for sql in LOAD[4:]:
            cursor.execute(sql, {**params, "agent": agent.pk})
        cursor.execute("ANALYZE")
        counts = {}
        for table in LOAD_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return {"load_s": time.perf_counter() - started, "counts": counts}


def child_measure(n: int) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from apps.tickets.models import ServiceRequest

    client = Client()
    client.force_login(User.objects.get(username=AGENT))
    changelist = reverse("admin:tickets_servicerequest_changelist")
    # An open request of the agent's department, in the middle of the table.
    opened = (
        ServiceRequest.objects.filter(state="in_progress", assignee__user__username=AGENT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    middle = opened[len(opened) // 2]
    pages = {
        "list: all open (SLA order)": changelist,
        "list: mine": f"{changelist}?queue=mine",
        "list: dept unassigned": f"{changelist}?queue=unassigned",
        "list: breached": f"{changelist}?queue=breached",
        "list: everything": f"{changelist}?queue=everything",
        "request page": reverse("admin:tickets_servicerequest_change", args=[middle]),
    }
    results = {}
    for name, url in pages.items():
        assert client.get(url).status_code == 200  # warm-up: templates, caches, plans
        times = []
        for _ in range(5):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        results[name] = {"ms": statistics.median(times), "queries": len(captured)}
    return results


def child_explain(n: int) -> dict:
    """Every SELECT the queue (default filters) and a request page send, with the time
    `EXPLAIN ANALYZE` gives each and its plan's top lines, slowest first."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from apps.tickets.models import ServiceRequest

    client = Client()
    client.force_login(User.objects.get(username=AGENT))
    opened = ServiceRequest.objects.filter(state="in_progress", assignee__user__username=AGENT)
    pages = {
        "queue": reverse("admin:tickets_servicerequest_changelist"),
        "request_page": reverse(
            "admin:tickets_servicerequest_change", args=[opened.order_by("pk").first().pk]
        ),
    }
    found = {}
    for page, url in pages.items():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        plans = []
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                if not query["sql"].lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                lines = [row[0] for row in cursor.fetchall()]
                ms = float(lines[-1].split(":")[1].split()[0])  # "Execution Time: 0.1 ms"
                plans.append({"ms": ms, "sql": query["sql"][:160], "plan": lines[:4]})
        found[page] = sorted(plans, key=lambda p: -p["ms"])
    return found


def main() -> None:
    args = parse_args()
    if args.child is None:
        main_parent(args)
        return
    setup_django()
    child = {"load": child_load, "measure": child_measure, "explain": child_explain}
    print(json.dumps(child[args.child](args.n)))


if __name__ == "__main__":
    main()
