"""The three systems the API benchmark compares: databases, bulk loading, gunicorn, endpoints."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SERVER = "postgres://postgres@127.0.0.1:5432"
HELPDESK_VENV = ROOT / "var" / "bench" / "helpdesk-venv"
HELPDESK_PINS = ["django-helpdesk==2.6.1", "gunicorn==27.0.1", "psycopg[binary]==3.3.9"]
CUSTOMERS = 1000  # rows are spread over this many owners; the clients are the first CLIENTS
CLIENTS = 8
# The broker and cache database of our project during the run; its keys are deleted at the end.
REDIS_DB = 13

# Users (and, for us, customers) with tokens; printed as JSON for the parent.
_USERS_CODE = """
import json
from django.contrib.auth import get_user_model
U = get_user_model()
users = [U(username=f"bench-{{i}}", email=f"bench-{{i}}@example.com", is_staff={staff})
         for i in range({customers})]
U.objects.bulk_create(users)
users = list(U.objects.filter(username__startswith="bench-").order_by("id"))
{extra}
{tokens}
print(json.dumps({{"tokens": tokens, "user_ids": [u.id for u in users[:{clients}]],
                   "first_user": users[0].id}}))
"""
# Each client's token: DRF's plain tokens for the ceiling and django-helpdesk, our hashed ones.
_DRF_TOKENS = """
from rest_framework.authtoken.models import Token
tokens = [Token.objects.get_or_create(user=u)[0].key for u in users[:{clients}]]
"""
_OUR_TOKENS = """
from apps.api.tokens import do_issue_token
tokens = [do_issue_token(user=u)[1] for u in users[:{clients}]]
"""
# Tokens for the clients of a database made earlier (bench/api_ab.py).
_TOKENS_AGAIN = """
import json
from django.contrib.auth import get_user_model
users = list(get_user_model().objects.filter(username__startswith="bench-").order_by("id"))
{tokens}
print(json.dumps(tokens))
"""
_OURS_EXTRA = """
from apps.accounts.models import Customer
from apps.tickets.models import Category
Customer.objects.bulk_create([Customer(user=u) for u in users])
Category.objects.create(name="Bench")
"""
_HELPDESK_EXTRA = """
from helpdesk.models import Queue
Queue.objects.create(title="Bench", slug="bench")
"""

# Bulk rows: `n` more rows, spread over the first `owners` users (the clients are among them).
_OURS_LOAD = [
    """INSERT INTO tickets_servicerequest (subject, description, channel, impact, urgency,
           priority, priority_overridden, escalation_level, state, version, last_event_seq,
           last_event_at, created_at, state_changed_at, reopen_count, customer_id,
           declared_attachments, tags, required_skills)
       SELECT 'Bench request ' || g, 'Loaded in bulk for the API benchmark.', 'api', 'medium',
              'medium', 3, false, 0, 'new', 1, 1, t.at, t.at, t.at, 0, c.id, '[]', '[]', '{}'
       FROM generate_series(1, %(n)s) g
       CROSS JOIN LATERAL (SELECT now() - (g %% 86400) * interval '1 minute' AS at) t
       JOIN accounts_customer c ON c.user_id = %(first)s + (g - 1) %% %(owners)s""",
    # Each loaded request's submit event, so the event log replays to its state.
    """INSERT INTO quality_event (seq, kind, transition, from_state, to_state, actor_role, at,
           payload, request_id)
       SELECT 1, 'transition', 'submit', '', 'new', 'customer', r.created_at, '{}', r.id
       FROM tickets_servicerequest r
       WHERE NOT EXISTS (SELECT 1 FROM quality_event e WHERE e.request_id = r.id)""",
]
_CEILING_LOAD = [
    """INSERT INTO ceiling_ticket (owner_id, subject, description, state, created_at)
       SELECT %(first)s + (g - 1) %% %(owners)s, 'Bench request ' || g,
              'Loaded in bulk for the API benchmark.', 'new',
              now() - (g %% 86400) * interval '1 minute'
       FROM generate_series(1, %(n)s) g""",
]
_HELPDESK_LOAD = [
    """INSERT INTO helpdesk_ticket (title, created, modified, submitter_email, status, on_hold,
           description, priority, queue_id, secret_key)
       SELECT 'Bench request ' || g, now() - (g %% 86400) * interval '1 minute', now(),
              'bench-' || ((g - 1) %% %(owners)s) || '@example.com', 1, false,
              'Loaded in bulk for the API benchmark.', 3,
              (SELECT min(id) FROM helpdesk_queue), gen_random_uuid()::text
       FROM generate_series(1, %(n)s) g""",
]


@dataclass
class System:
    """One system under test: how to run it and what its three calls look like."""

    name: str
    database: str
    python: Path
    settings: str
    pythonpath: Path
    wsgi: str
    port: int
    create_path: str
    list_path: str
    detail_path: str  # with {id}
    table: str
    load_sql: list[str]
    users_extra: str = ""
    tokens_code: str = _DRF_TOKENS
    staff: bool = False
    env: dict = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)
    first_user: int = 0

    def create_body(self, i: int) -> dict:
        if self.name == "helpdesk":
            return {
                "queue": 1,
                "title": f"Printer on floor {i % 9} jams",
                "description": "It jams on every second page since this morning.",
                "submitter_email": f"bench-{i % CLIENTS}@example.com",
                "priority": 3,
            }
        body = {"subject": f"Printer on floor {i % 9} jams"}
        body["description"] = "It jams on every second page since this morning."
        return body

    def process_env(self) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings,
            "PYTHONPATH": str(self.pythonpath),
            "DATABASE_URL": f"{SERVER}/{self.database}",
            **self.env,
        }

    def django(self, *args: str) -> str:
        done = subprocess.run(
            [str(self.python), "-m", "django", *args],
            env=self.process_env(),
            cwd=self.pythonpath,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"{self.name}: django {args[0]} failed:\n{done.stderr[-3000:]}")
        return done.stdout


def systems() -> list[System]:
    ours_env = {
        "DJANGO_SECRET_KEY": "bench-not-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "SERVICEDESK_THROTTLE_USER": "1000000/minute",
        "DJANGO_LOG_LEVEL": "ERROR",
        "SERVICEDESK_EMAIL_DISABLED": "true",
    }
    venv = Path(sys.executable)
    return [
        System(
            name="ours",
            database="bench_api_ours",
            python=venv,
            settings="servicedesk.settings.production",
            pythonpath=ROOT,
            wsgi="servicedesk.wsgi:application",
            port=18701,
            create_path="/api/v1/requests/",
            list_path="/api/v1/requests/",
            detail_path="/api/v1/requests/SR-{id:06d}/",
            table="tickets_servicerequest",
            load_sql=_OURS_LOAD,
            users_extra=_OURS_EXTRA,
            tokens_code=_OUR_TOKENS,
            env=ours_env,
        ),
        System(
            name="ceiling",
            database="bench_api_ceiling",
            python=venv,
            settings="bench.ceiling.settings",
            pythonpath=ROOT,
            wsgi="django.core.wsgi:get_wsgi_application()",
            port=18702,
            create_path="/tickets/",
            list_path="/tickets/",
            detail_path="/tickets/{id}/",
            table="ceiling_ticket",
            load_sql=_CEILING_LOAD,
        ),
        System(
            name="helpdesk",
            database="bench_api_helpdesk",
            python=HELPDESK_VENV / "bin" / "python",
            settings="helpdesk_site.settings",
            pythonpath=BENCH,
            wsgi="django.core.wsgi:get_wsgi_application()",
            port=18703,
            create_path="/helpdesk/api/tickets/",
            list_path="/helpdesk/api/tickets/",
            detail_path="/helpdesk/api/tickets/{id}/",
            table="helpdesk_ticket",
            load_sql=_HELPDESK_LOAD,
            users_extra=_HELPDESK_EXTRA,
            staff=True,
        ),
    ]


def ensure_helpdesk_venv() -> None:
    """django-helpdesk from PyPI into its own venv under var/ (ignored by git), once."""
    if (HELPDESK_VENV / "bin" / "gunicorn").exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(HELPDESK_VENV)], check=True)
    pip = [str(HELPDESK_VENV / "bin" / "pip"), "install", "-q", *HELPDESK_PINS]
    subprocess.run(pip, check=True)


def server_sql(statement: str, database: str = "postgres") -> None:
    with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as conn:
        conn.execute(statement)


def drop_database(name: str) -> None:
    server_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def prepare(system: System) -> None:
    """A fresh database: migrate, the users with tokens, nothing else."""
    drop_database(system.database)
    server_sql(f"CREATE DATABASE {system.database}")
    system.django("migrate", "--noinput", "-v0")
    code = _USERS_CODE.format(
        staff=system.staff,
        customers=CUSTOMERS,
        clients=CLIENTS,
        extra=system.users_extra,
        tokens=system.tokens_code.format(clients=CLIENTS),
    )
    made = json.loads(system.django("shell", "-c", code).strip().splitlines()[-1])
    system.tokens, system.user_ids = made["tokens"], made["user_ids"]
    system.first_user = made["first_user"]


def issue_tokens(system: System) -> list[str]:
    """Tokens for the clients (the first bench users) of a database `prepare` made."""
    code = _TOKENS_AGAIN.format(tokens=system.tokens_code.format(clients=CLIENTS))
    return json.loads(system.django("shell", "-c", code).strip().splitlines()[-1])


def load_rows(system: System, total: int) -> float:
    """Bring the table to `total` rows with bulk SQL, then VACUUM ANALYZE and CHECKPOINT;
    return seconds."""
    started = time.perf_counter()
    with psycopg.connect(f"{SERVER}/{system.database}", autocommit=True) as conn:
        have = conn.execute(f"SELECT count(*) FROM {system.table}").fetchone()[0]
        n = max(total - have, 0)
        # Each client owns at least a full first page (25) at every size, more as rows grow.
        owners = max(CLIENTS, min(CUSTOMERS, n // 25))
        params = {"n": n, "first": system.first_user, "owners": owners}
        if params["n"]:
            for statement in system.load_sql:
                conn.execute(statement, params)
        conn.execute("VACUUM ANALYZE")
        # Flush the load now, not in a checkpoint during the first measured rounds.
        conn.execute("CHECKPOINT")
    return time.perf_counter() - started


def owned_ids(system: System, limit: int = 200) -> dict[str, list[int]]:
    """Some row ids each client's user owns (for the detail calls)."""
    found = {}
    with psycopg.connect(f"{SERVER}/{system.database}") as conn:
        for i, (token, user_id) in enumerate(zip(system.tokens, system.user_ids, strict=True)):
            if system.name == "ours":
                where = "customer_id = (SELECT id FROM accounts_customer WHERE user_id = %s)"
                arg = user_id
            elif system.name == "ceiling":
                where, arg = "owner_id = %s", user_id
            else:
                where, arg = "submitter_email = %s", f"bench-{i}@example.com"
            rows = conn.execute(
                f"SELECT id FROM {system.table} WHERE {where} ORDER BY id DESC LIMIT {limit}",
                (arg,),
            ).fetchall()
            found[token] = [row[0] for row in rows]
    return found


def start_gunicorn(system: System, workers: int = 2) -> subprocess.Popen:
    gunicorn = system.python.parent / "gunicorn"
    command = [
        str(gunicorn),
        system.wsgi,
        f"--bind=127.0.0.1:{system.port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--keep-alive=30",
        "--log-level=warning",
    ]
    process = subprocess.Popen(command, env=system.process_env(), cwd=system.pythonpath)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{system.port}{system.list_path}", timeout=2)
        except urllib.error.HTTPError:
            return process  # 401/403: it answers
        except OSError:
            time.sleep(0.3)
            continue
        return process
    stop(process)
    raise RuntimeError(f"{system.name}: gunicorn did not answer in 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
