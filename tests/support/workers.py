"""A real Celery worker process on real Redis and the test database, for end-to-end flows."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from servicedesk.celery import app

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


def process_env(**overrides: str) -> dict[str, str]:
    """The environment for a child process (worker, beat, web server) on this run's test
    database and Redis prefix; `overrides` set or replace variables."""
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings.test",
        "TEST_DATABASE_URL": (
            f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "TEST_REDIS_URL": settings.TEST_REDIS_URL,
        **overrides,
    }


def start_process(args: list[str], log_path: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start `python <args>` in its own session, output appended to `log_path`."""
    log = log_path.open("a")
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log_path = log_path
    process.log = log
    return process


def start_worker(
    log_path: Path,
    *,
    name: str = "test",
    queues: Sequence[str] = (),
    options: Sequence[str] = ("--concurrency", "2"),
    **env: str,
) -> subprocess.Popen:
    """`celery worker` on `queues` (every queue unless named), concurrency 2 unless `options`
    say otherwise, against this run's database and Redis."""
    queues = queues or [q.name for q in settings.CELERY_TASK_QUEUES]
    args = ["-m", "celery", "-A", "servicedesk", "worker", "-Q", ",".join(queues), *options]
    args += ["--loglevel", "INFO", "--without-gossip", "--without-mingle"]
    args += ["--hostname", f"{name}-{os.getpid()}@%h"]
    return start_process(args, log_path, process_env(**env))


def stop_process(process: subprocess.Popen, *, grace: float = 15) -> None:
    """SIGTERM to the process group, then SIGKILL; close its log."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        if process.poll() is not None:
            break
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    process.log.close()


def empty_work_queues() -> int:
    """Drop what waits on this run's work queues, and the unacknowledged messages of stopped
    workers, which Redis would deliver again a visibility timeout later; the number dropped."""
    with app.connection_for_write() as broker:
        channel = broker.default_channel
        dropped = sum(channel.queue_purge(q.name) or 0 for q in settings.CELERY_TASK_QUEUES)
        # kombu's Redis channel keeps delivered, unacknowledged messages under these keys; with
        # no worker running they are those of earlier tests' workers, stopped or killed.
        channel.client.delete(
            channel.unacked_key, channel.unacked_index_key, channel.unacked_mutex_key
        )
    return dropped


@pytest.fixture(autouse=True)
def _worker_tests_start_on_empty_queues(request):
    """A worker test's workers see only the messages of that test. Tests that commit without a
    worker (live servers, transactional tests) leave theirs on the run's prefix (about 200 after
    four-fifths of the suite, measured), which the next worker test's worker would work first."""
    is_worker_test = request.node.get_closest_marker("worker") and settings.REDIS_AVAILABLE
    if is_worker_test and (dropped := empty_work_queues()):
        print(f"dropped {dropped} message(s) that earlier tests left on the work queues")
    yield


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """Start `celery worker` on every queue against this run's Redis prefix and test database;
    yield the Popen; stop it (SIGTERM, then SIGKILL) afterwards. The log's tail is printed,
    which pytest shows when the test fails."""
    worker = start_worker(tmp_path / "worker.log")
    try:
        yield worker
    finally:
        stop_process(worker)
        print(worker.log_path.read_text()[-20000:])
