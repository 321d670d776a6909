"""The production process layout without Docker: compose.yaml's processes started on loopback
under production settings, against the test's PostgreSQL and a Redis of the test's own: two
gunicorn web processes (two workers each, from WEB_CONCURRENCY), the three Celery worker groups
of compose.yaml (their queues and options), and one beat. The customer's journey goes through
both web processes; each kind of task is run by its group's worker; everything stops cleanly."""

import json
import re
import secrets
import shutil

import pytest
import requests
import yaml
from django.conf import settings
from django.core.management import call_command

from apps.api.tokens import do_issue_token
from apps.knowledge.models import Article, Phrasing
from apps.tickets.models import ServiceRequest
from tests.conftest import need_service
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, DepartmentFactory
from tests.support.faults import RedisServer, Stack
from tests.support.smtp import smtp_env
from tests.support.web import start_gunicorn
from tests.support.workers import (
    ROOT,
    process_env,
    start_process,
    start_worker,
    stop_process,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.slow]


def compose_worker_groups() -> dict[str, tuple[list[str], list[str]]]:
    """compose.yaml's worker services: name -> (queues, options), each option whose value comes
    from the environment (a concurrency) set to 2 here."""
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    groups = {}
    for name, service in services.items():
        command = service.get("command") or []
        if command[:4] != ["celery", "-A", "servicedesk", "worker"]:
            continue
        rest = command[4:]
        queues = rest[rest.index("-Q") + 1].split(",")
        options = []
        for flag, value in zip(rest[::2], rest[1::2], strict=True):
            if flag not in ("-Q", "--loglevel"):
                options += [flag, "2" if value.startswith("${") else value]
        groups[name] = (queues, options)
    return groups


class Layout(Stack):
    """The fault tests' stack (workers, beat, logs, stopping) with gunicorn web processes and
    compose.yaml's worker groups."""

    def start_web(self, name: str) -> str:
        env = process_env(**self.env, WEB_CONCURRENCY="2")
        web, base_url = start_gunicorn(self.tmp_path, name, env)
        self._keep(web)
        return base_url

    def start_group(self, name: str, queues: list[str], options: list[str]):
        log_path = self.tmp_path / f"{name}.log"
        worker = start_worker(log_path, name=name, queues=queues, options=options, **self.env)
        self.workers.append(self._keep(worker))
        return worker

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")

    def tasks_run(self, name: str) -> set[str]:
        """The tasks a worker received (its log); batched routing logs its outcomes instead."""
        log = self.log(name)
        names = set(re.findall(r"Task ([\w.]+)\[[0-9a-f-]+\] received", log))
        return names | ({"routing.route_request"} if "routing.route_request: {" in log else set())


@pytest.fixture
def layout(transactional_db, tmp_path, smtp_server):
    """compose.yaml's processes under production settings; yields (layout, web URLs, inbox)."""
    need_service(shutil.which("redis-server") is not None, "redis-server (apt-get install it)")
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    inbox, smtp_port = smtp_server
    (static_root := tmp_path / "static").mkdir()
    production = {
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": process_env()["TEST_DATABASE_URL"],
        "REDIS_URL": redis_server.url,
        "SERVICEDESK_VAR_DIR": str(tmp_path / "var"),
        "SERVICEDESK_CHATBOT_ENABLED": "true",
        # Nothing collected there: the API needs no static file (test_deploy_static.py).
        "DJANGO_STATIC_ROOT": str(static_root),
        **smtp_env(smtp_port),
    }
    stack = Layout(tmp_path, redis_server.url, **production)
    try:
        groups = {name: stack.start_group(name, *g) for name, g in compose_worker_groups().items()}
        stack.start_beat()
        webs = [stack.start_web("web-1"), stack.start_web("web-2")]
        for worker in groups.values():
            stack.wait_ready(worker)
        yield stack, webs, inbox
    finally:
        stack.stop()
        print(stack.logs())
        redis_server.stop()


class Caller:
    """An API user with a token, calling whichever web process the test names."""

    def __init__(self, user):
        _row, token = do_issue_token(user=user)
        self.headers = {"Authorization": f"Token {token}"}

    def __call__(self, method: str, base_url: str, path: str, body=None) -> dict:
        answer = requests.request(
            method, f"{base_url}/api/v1/{path}", json=body, headers=self.headers, timeout=30
        )
        assert answer.status_code in (200, 201), (answer.status_code, answer.text)
        return answer.json()


def mails_to(inbox, address: str, count: int, what: str):
    return wait_for(lambda: (m := inbox.to(address)) and len(m) >= count and m, what=what)


def state_of(pk: int, state: str):
    return wait_for(
        lambda: ServiceRequest.objects.filter(pk=pk, state=state).first(),
        timeout=90,
        what=f"the request to be {state}",
    )


def test_the_customer_journey_through_two_web_processes_and_three_worker_groups(layout):
    stack, (web_1, web_2), inbox = layout
    department = DepartmentFactory(code="it")
    agent = AgentFactory(departments=[department], user__email="alice@example.com")
    customer = CustomerFactory(user__email="carol@example.com")
    category = CategoryFactory(default_department=department)
    article = Article.objects.create(
        key="reset-password",
        question="How do I reset my password?",
        answer="Open https://id.example.com and choose *Forgot password*.",
        language="en",
    )
    Phrasing.objects.create(article=article, text="I forgot my password")
    as_customer, as_agent = Caller(customer.user), Caller(agent.user)

    # Both web processes are ready: every dependency /readyz checks answers, beat included.
    for web in (web_1, web_2):
        ready = wait_for(
            lambda web=web: requests.get(f"{web}/readyz", timeout=10).status_code == 200,
            timeout=60,
            what="/readyz 200",
        )
        assert ready
        checks = requests.get(f"{web}/readyz", timeout=10).json()["checks"]
        assert set(checks.values()) == {"ok"}, checks

    # Submitted on web 1; the chatbot (the fast group) answers; the mail goes out (background).
    created = as_customer(
        "POST", web_1, "requests/", {"subject": "I forgot my password", "category": category.pk}
    )
    reference, pk = created["reference"], int(created["reference"].removeprefix("SR-"))
    state_of(pk, "bot_answered")
    (answer,) = mails_to(inbox, "carol@example.com", 1, "the bot's answer by mail")
    assert "Forgot password" in answer.get_content()

    # Declined on web 2: routed and assigned (fast), the agent told by mail (background).
    as_customer("POST", web_2, f"requests/{reference}/transitions/decline_answer/", {})
    state_of(pk, "assigned")
    assert ServiceRequest.objects.get(pk=pk).assignee_id == agent.pk
    mails_to(inbox, "alice@example.com", 1, "the assignment by mail")

    # The agent works it on web 2, the customer answers on web 1.
    assert as_agent("GET", web_2, f"requests/{reference}/")["state"] == "assigned"
    as_agent("POST", web_2, f"requests/{reference}/transitions/start/", {})
    as_agent("POST", web_2, f"requests/{reference}/messages/", {"body": "Try the link again."})
    mails_to(inbox, "carol@example.com", 2, "the agent's reply by mail")
    seen = as_customer("GET", web_1, f"requests/{reference}/messages/")
    assert "Try the link again." in json.dumps(seen)
    as_customer("POST", web_1, f"requests/{reference}/messages/", {"body": "It works, thanks."})
    as_agent("POST", web_2, f"requests/{reference}/transitions/resolve/", {})
    assert as_customer("GET", web_1, f"requests/{reference}/")["state"] == "resolved"
    as_customer("POST", web_1, f"requests/{reference}/feedback/", {"rating": 5})
    mails_to(inbox, "carol@example.com", 3, "the resolution by mail")
    call_command("check_event_log")

    # Training goes to the long group only, sent as an operator would.
    sent = start_process(
        ["-m", "celery", "-A", "servicedesk", "call", "default.train_eta_model"],
        stack.tmp_path / "call.log",
        process_env(**stack.env),
    )
    assert sent.wait(timeout=60) == 0, (stack.tmp_path / "call.log").read_text()
    wait_for(
        lambda: (
            "default.train_eta_model" in stack.tasks_run("worker-long")
            and "succeeded" in stack.log("worker-long")
        ),
        timeout=120,
        what="the long worker to train the model",
    )
    queues_run = {
        name: {task.split(".")[0] for task in stack.tasks_run(name) - set(settings.LONG_TASKS)}
        for name in ("worker-fast", "worker-background", "worker-long")
    }
    assert queues_run["worker-fast"] == {"routing", "chatbot"}
    assert {"notifications", "default"} <= queues_run["worker-background"]
    assert queues_run["worker-background"] <= {"sla", "handoffs", "notifications", "default"}
    assert queues_run["worker-long"] == set()  # nothing but the long tasks
    for name in ("worker-fast", "worker-background"):
        assert not stack.tasks_run(name) & set(settings.LONG_TASKS)

    # Each web process ran two gunicorn workers (WEB_CONCURRENCY), and all stop cleanly.
    for name in ("web-1", "web-2"):
        assert stack.log(name).count("Booting worker with pid") == 2
    # SIGTERM to each process group, the last started first: gunicorn's and Celery's warm
    # shutdowns, given time to finish (Stack.stop allows only 5 s before SIGKILL).
    for process in reversed(stack.processes):
        stop_process(process, grace=60)
    assert {p.log_path.name: p.returncode for p in stack.processes} == {
        p.log_path.name: 0 for p in stack.processes
    }
