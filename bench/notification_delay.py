"""Benchmark: a notification's delay from the event to the SMTP server, p50 and p95.

An agent's public reply is committed in this process; a real Celery worker runs the notice
task (who hears it, in their language), then the e-mail task, and the mail reaches a real SMTP
server (aiosmtpd) in this process. The reference, in the same run and interleaved: one task
that only sends a plain mail (broker, worker and SMTP, nothing of ours). Prints the delays and
their ratio to the reference.

    .venv/bin/python bench/notification_delay.py [--events 200] [--rate 10]

Needs PostgreSQL and Redis on 127.0.0.1 (database `bench_notify`, dropped at the end; Redis
keys under a prefix of the run, deleted at the end).
"""

import argparse
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from email import message_from_bytes, policy
from pathlib import Path

import psycopg
import redis
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "bench_notify"
REDIS_URL = "redis://127.0.0.1:6379/15"
PREFIX = f"bench-notify-{uuid.uuid4().hex[:8]}:"


class Arrivals:
    """SMTP handler: the arrival time of each mail, by subject."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.at[str(message["Subject"])] = time.time()
        return "250 OK"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200, help="replies (and reference mails)")
    parser.add_argument("--rate", type=float, default=10, help="events per second")
    return parser.parse_args()


def environment(smtp_port: int) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings.test",
        "TEST_DATABASE_URL": f"{SERVER}/{DATABASE}",
        "TEST_REDIS_URL": REDIS_URL,
        "SERVICEDESK_TEST_BROKER_PREFIX": PREFIX,
        "SERVICEDESK_CHATBOT_ENABLED": "false",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": str(smtp_port),
    }


def start_worker(log) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "servicedesk", "worker"]
    command += ["-Q", "notifications,default", "--concurrency", "2", "-I", "bench.reference_tasks"]
    command += ["--loglevel", "WARNING", "--without-gossip", "--without-mingle"]
    command += ["--hostname", f"bench-notify-{os.getpid()}@%h"]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def make_desk(count: int):
    """One department, its agent, `count` requests of as many customers, assigned."""
    from apps.accounts.actors import SYSTEM, actor_for_user
    from apps.tickets import services
    from apps.tickets.transition_data import AssignData, RouteData
    from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory

    department = DepartmentFactory(code="bench")
    agent = AgentFactory(departments=[department], user__email="agent@bench.example")
    requests = []
    for i in range(count):
        customer = CustomerFactory(user__email=f"c{i}@bench.example")
        request = services.do_submit_request(
            actor=actor_for_user(customer.user), customer=customer, subject=f"bench {i}"
        )
        request = services.transition(
            request, "route", actor=SYSTEM, data=RouteData(department=department)
        )
        requests.append(
            services.transition(request, "assign", actor=SYSTEM, data=AssignData(assignee=agent))
        )
    return actor_for_user(agent.user), requests


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run(args: argparse.Namespace, arrivals: Arrivals) -> None:
    from apps.notifications.models import Notification
    from apps.tickets import services
    from bench.reference_tasks import MAIL_REFERENCE_TASK
    from workflows.enqueue import enqueue
    from workflows.notifications import mail_subject

    agent, requests = make_desk(args.events)
    # Mails of the set-up (assignments go to the agent) are not measured.
    time.sleep(5)
    sent_reply: dict[int, float] = {}
    sent_reference: dict[str, float] = {}
    for i, request in enumerate(requests):
        message = services.do_post_message(request, actor=agent, body=f"reply {i}")
        sent_reply[message.pk] = message.created_at.timestamp()
        sent_reference[f"reference {i}"] = time.time()
        enqueue(MAIL_REFERENCE_TASK, tag=str(i), to="ref@bench.example")
        time.sleep(1 / args.rate)
    deadline = time.time() + 120
    while time.time() < deadline and len(arrivals.at) < 2 * args.events:
        time.sleep(0.5)
    replies = Notification.objects.filter(kind="agent_reply").select_related("request")
    ours = [
        arrivals.at[mail_subject(n)] - sent_reply[int(n.key.split(":")[1])]
        for n in replies
        if mail_subject(n) in arrivals.at
    ]
    reference = [arrivals.at[s] - t for s, t in sent_reference.items() if s in arrivals.at]
    print(f"notification_events: {args.events}")
    print(f"notification_mails_arrived: {len(ours)}")
    print(f"reference_mails_arrived: {len(reference)}")
    for name, values in (("notification", ours), ("reference", reference)):
        print(f"{name}_delay_p50_ms: {1000 * statistics.median(values):.0f}")
        print(f"{name}_delay_p95_ms: {1000 * percentile(values, 95):.0f}")
    print(f"notification_p50_ratio: {statistics.median(ours) / statistics.median(reference):.2f}")
    print(f"notification_p95_ratio: {percentile(ours, 95) / percentile(reference, 95):.2f}")


def main() -> None:
    args = parse_args()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command
    arrivals = Arrivals()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(arrivals, hostname="127.0.0.1", port=port)
    smtp.start()
    os.environ.update(environment(port))
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    log = (ROOT / "var" / "bench-notify-worker.log").open("w")
    worker = start_worker(log)
    try:
        run(args, arrivals)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        smtp.stop()
        from django.db import connections

        connections.close_all()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{PREFIX}*"):
            client.delete(key)
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
