"""`/healthz` answers without asking any dependency; `/readyz` names each dependency's state
(database, cache, broker, a worker, beat's last sweep, migrations) and never a version."""

import django
import pytest
from django.core.cache import cache
from django.db import connection

from servicedesk import health
from tests.support.workers import wait_for
from workflows import tasks

pytestmark = pytest.mark.django_db


def assert_names_no_version(response) -> None:
    text = response.content.decode()
    assert django.get_version() not in text and "PostgreSQL" not in text
    assert "postgres" not in text and connection.vendor not in text


def test_liveness_asks_no_dependency(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert_names_no_version(response)


def test_readiness_without_a_worker_is_503_naming_the_worker(client, settings):
    settings.SERVICEDESK_READY_WORKER_TIMEOUT = 0.2
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok" and checks["migrations"] == "ok"
    assert checks["broker"] == "ok"
    assert checks["worker"].startswith("failed")
    assert set(checks) == {"database", "cache", "broker", "worker", "beat", "migrations"}
    assert_names_no_version(response)


def test_beat_is_skipped_without_a_shared_cache():
    # The embedded default's local-memory cache is each process's own: no heartbeat to read.
    assert not health._cache_is_shared()
    assert health._beat() == health.SKIPPED


def test_the_recovery_sweep_records_beats_heartbeat(monkeypatch):
    monkeypatch.setattr(health, "_cache_is_shared", lambda: True)
    cache.delete(health.BEAT_HEARTBEAT_KEY)
    assert health._beat() == "failed: no sweep recorded"
    tasks.sweep_stuck_requests()
    assert health._beat() == "ok"


@pytest.mark.worker
@pytest.mark.redis
def test_readiness_with_a_worker_answering(client, celery_worker_process, monkeypatch):
    monkeypatch.setattr(health, "_cache_is_shared", lambda: False)  # locmem in tests
    wait_for(lambda: client.get("/readyz").status_code == 200, timeout=60, what="/readyz 200")
    assert client.get("/readyz").json()["checks"]["worker"] == "ok"
