"""A real Celery worker process on real Redis and the test database, for end-to-end flows."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, *, timeout: float = 60, every: float = 0.2, what: str = "condition"):
    """Poll until `predicate()` is truthy and return its value; fail the test at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """Start `celery worker` on every queue against this run's Redis prefix and test database;
    yield the Popen; stop it (SIGTERM, then SIGKILL) afterwards."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings.test",
        "TEST_DATABASE_URL": (
            f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "TEST_REDIS_URL": settings.TEST_REDIS_URL,
    }
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    queues = ",".join(q.name for q in settings.CELERY_TASK_QUEUES)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "servicedesk",
            "worker",
            "-Q",
            queues,
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker.log_path = log_path
    try:
        yield worker
    finally:
        for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            if worker.poll() is not None:
                break
            os.killpg(worker.pid, sig)
            try:
                worker.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                continue
        log.close()
        print(log_path.read_text()[-3000:])
