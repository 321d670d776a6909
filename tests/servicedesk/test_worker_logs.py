"""A Celery worker writes its log as Django's LOGGING says: one JSON object a line with
DJANGO_LOG_FORMAT=json (as in production), each line of a task naming its task id."""

import json

import pytest

from tests.support.workers import start_worker, stop_process, wait_for
from workflows import tasks

pytestmark = [pytest.mark.worker, pytest.mark.redis]


def json_lines(path) -> list[dict]:
    lines = []
    for line in path.read_text().splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


def test_the_worker_logs_json_lines_with_the_task_id(transactional_db, tmp_path):
    worker = start_worker(tmp_path / "worker.log", DJANGO_LOG_FORMAT="json")
    try:
        result = tasks.ping.apply_async(args=["log-me"])
        of_the_task = wait_for(
            lambda: [
                r
                for r in json_lines(worker.log_path)
                if r.get("task_id") == result.id and "succeeded" in r["message"]
            ],
            timeout=90,
            what="a JSON log line naming the task",
        )
    finally:
        stop_process(worker)
    assert {"time", "level", "logger", "message"} <= set(of_the_task[0])
    # Celery's own start-up lines come through the same formatter.
    assert any(r["logger"].startswith("celery") for r in json_lines(worker.log_path))
