"""Processes the fault tests control: their own Redis, the API served over loopback, Celery
workers and beat on the test database; and a desk with enough agents to assign everything."""

import contextlib
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.conftest import need_service
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory
from tests.support.workers import process_env, start_process, start_worker, stop_process, wait_for

# Short intervals so a stranded request is swept within seconds (the defaults are minutes).
FAST_RECOVERY = {
    "SERVICEDESK_STUCK_NEW_SECONDS": "2",
    "SERVICEDESK_RECOVERY_SWEEP_SECONDS": "1",
    "SERVICEDESK_ENQUEUE_PAUSE_SECONDS": "5",
    "SERVICEDESK_THROTTLE_USER": "100000/minute",
    "CELERY_DB_REUSE_MAX": "1000",
    # Submissions go straight to the batched routing task (the chatbot routes one by one).
    "SERVICEDESK_CHATBOT_ENABLED": "false",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of this test on a free port, without persistence; stop and start again."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = tmp_path / "redis.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--logfile", str(self.log_path)]
        self.process = subprocess.Popen(command, start_new_session=True)
        wait_for(self.answers, timeout=10, every=0.05, what=f"redis-server on {self.port}")

    def stop(self) -> None:
        """SHUTDOWN NOSAVE: everything in it is gone, as after a crash without persistence."""
        # The server closes the connection as it exits.
        with contextlib.suppress(redis.ConnectionError):
            self._client(socket_timeout=2).shutdown(nosave=True)
        self.process.wait(timeout=10)

    def answers(self) -> bool:
        try:
            return self._client(socket_timeout=0.5).ping()
        except redis.ConnectionError:
            return False

    def _client(self, **options) -> redis.Redis:
        """A client that does not retry: redis-py 6 retries a command three times with a backoff
        of seconds when the connection drops, which SHUTDOWN always does (the stop took 9 s)."""
        return redis.Redis(port=self.port, retry=Retry(NoBackoff(), 0), **options)


class Stack:
    """The API server, workers and beat, all on the test database and one Redis."""

    def __init__(self, tmp_path: Path, redis_url: str, **env: str):
        self.tmp_path = tmp_path
        self.env = {**FAST_RECOVERY, "TEST_REDIS_URL": redis_url, **env}
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []

    def start(
        self, *, web_workers: int = 0, queues: str = "", **worker_env: str
    ) -> subprocess.Popen:
        """A worker, the API and beat, started together; returns the worker once it is ready
        and the API answers. The API is Django's runserver, or gunicorn with `web_workers`
        processes (as in production: each with its own gatherer and enqueue pause)."""
        worker = self.start_worker("worker", wait=False, queues=queues, **worker_env)
        args = ["manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"]
        if web_workers:
            args = ["-m", "gunicorn", "servicedesk.wsgi:application", "--bind"]
            args += [f"127.0.0.1:{self.port}", "--workers", str(web_workers)]
            args += ["--worker-class", "gthread", "--threads", "2", "--timeout", "60"]
        self.api = self._keep(
            start_process(args, self.tmp_path / "api.log", process_env(**self.env))
        )
        self.start_beat()
        wait_for(self._api_answers, timeout=60, every=0.2, what="the API server")
        self.wait_ready(worker)
        return worker

    def start_worker(
        self, name: str, *, wait: bool = True, queues: str = "", **env: str
    ) -> subprocess.Popen:
        """A worker on every queue, or on `queues` (comma-separated)."""
        log_path = self.tmp_path / f"{name}-{len(self.workers)}.log"
        named = queues.split(",") if queues else ()
        worker = start_worker(log_path, name=name, queues=named, **{**self.env, **env})
        self._keep(worker)
        self.workers.append(worker)
        if wait:
            self.wait_ready(worker)
        return worker

    def wait_ready(self, worker: subprocess.Popen) -> None:
        def ready():
            assert worker.poll() is None, f"the worker exited:\n{self.logs()}"
            return " ready." in worker.log_path.read_text(errors="replace")

        wait_for(ready, timeout=90, every=0.2, what="the worker to be ready")

    def start_beat(self) -> None:
        args = ["-m", "celery", "-A", "servicedesk", "beat", "--loglevel", "INFO"]
        args += ["--schedule", str(self.tmp_path / "beat-schedule")]
        self._keep(start_process(args, self.tmp_path / "beat.log", process_env(**self.env)))

    def stop(self) -> None:
        for process in reversed(self.processes):
            stop_process(process, grace=5)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.log_path.name} ---\n{p.log_path.read_text(errors='replace')[-2500:]}"
            for p in self.processes
        )

    def _keep(self, process: subprocess.Popen) -> subprocess.Popen:
        self.processes.append(process)
        return process

    def _api_answers(self) -> bool:
        import requests

        assert self.api.poll() is None, f"the API server exited:\n{self.logs()}"
        try:
            return requests.get(f"{self.base_url}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False


@pytest.fixture
def redis_server(tmp_path):
    need_service(shutil.which("redis-server") is not None, "redis-server (apt-get install it)")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.process.terminate()
        server.process.wait(timeout=10)


@pytest.fixture
def stack(transactional_db, tmp_path, redis_server):
    """Processes on this test's Redis; the test starts what it needs; all stopped after."""
    processes = Stack(tmp_path, redis_server.url)
    yield processes
    processes.stop()
    print(processes.logs())


@pytest.fixture
def staffed_desk(transactional_db):
    """A triage department that assigns automatically, with room for 400 requests, and a
    customer. Returns (department, customer)."""
    department = DepartmentFactory(code="triage", is_triage=True)
    for _ in range(4):
        AgentFactory(departments=[department], capacity=100)
    return department, CustomerFactory()
