"""Task outcomes from a real Celery worker: counted in its pool processes, summed from the
multiprocess directory, served on the worker's own port to the scraper only, and by the web's
`/metrics` where web and worker share the directory."""

import socket
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from servicedesk.celery import app
from tests.support.workers import start_worker, stop_process, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.slow]

TOKEN = "worker-scraper-token"
SUCCEEDED = ("servicedesk_celery_tasks_total", "default.ping", "succeeded")
FAILED = ("servicedesk_celery_tasks_total", "default.ping", "failed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str = "/metrics", token: str | None = TOKEN) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""  # not listening yet


def task_outcomes(text: str) -> dict[tuple[str, str, str], float]:
    return {
        (sample.name, sample.labels["task"], sample.labels["outcome"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if family.name == "servicedesk_celery_tasks"
    }


def _both_counted(port: int) -> dict[tuple[str, str, str], float] | None:
    outcomes = task_outcomes(fetch(port)[1])
    return outcomes if outcomes.get(SUCCEEDED) and outcomes.get(FAILED) else None


@pytest.fixture
def metrics_worker(transactional_db, tmp_path):
    """A worker with a multiprocess directory of its own and its metrics port."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    port = free_port()
    worker = start_worker(
        tmp_path / "worker.log",
        name="metrics",
        PROMETHEUS_MULTIPROC_DIR=str(directory),
        SERVICEDESK_METRICS_TOKEN=TOKEN,
        SERVICEDESK_METRICS_WORKER_PORT=str(port),
        SERVICEDESK_METRICS_WORKER_ADDRESS="127.0.0.1",
    )
    try:
        yield worker, port, directory
    finally:
        stop_process(worker)
        print(worker.log_path.read_text()[-3000:])


def test_tasks_run_by_a_worker_show_in_its_outcomes(metrics_worker, client, settings, monkeypatch):
    worker, port, directory = metrics_worker
    wait_for(lambda: fetch(port)[0] == 200, timeout=60, what="the worker's metrics endpoint")
    assert fetch(port, token=None)[0] == 404
    assert fetch(port, token="wrong")[0] == 404
    assert fetch(port, path="/")[0] == 404

    app.send_task("default.ping", kwargs={"token": "t"})
    app.send_task("default.ping")  # no token: the task raises TypeError in the worker
    outcomes = wait_for(
        lambda: _both_counted(port),
        timeout=60,
        what="the worker's outcomes of both pings",
    )
    assert worker.poll() is None, "the worker died"
    assert outcomes[SUCCEEDED] == 1 and outcomes[FAILED] == 1

    # A web process sharing the directory serves the same figures on /metrics.
    settings.SERVICEDESK_METRICS_TOKEN = TOKEN
    settings.SERVICEDESK_METRICS_NETWORKS = []
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    outcomes = task_outcomes(response.content.decode())
    assert outcomes[SUCCEEDED] == 1 and outcomes[FAILED] == 1
