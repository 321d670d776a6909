"""Liveness and readiness for load balancers and orchestrators.

`/healthz`: the process answers (no dependency is asked, so a database outage never gets every
web process restarted). `/readyz`: the dependencies a working desk needs, each named with "ok"
or what failed, never with a version or an address: the database, the cache (Redis), the
broker, a worker answering a ping, beat's last sweep, migrations not yet applied. 200 when every
check passes, else 503. A check that cannot apply (beat's heartbeat without a shared cache in
the embedded default) says "skipped"."""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone

from servicedesk.celery import app

BEAT_HEARTBEAT_KEY = "health:beat:last_sweep"
CACHE_PROBE_KEY = "health:probe"
OK, SKIPPED = "ok", "skipped"
_migrations_checked: dict[str, float] = {}  # when this process last found none pending


def healthz(request):
    """Liveness: the process serves requests. Asks nothing of the database or the broker."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    results = {name: _run(check) for name, check in CHECKS.items()}
    ready = all(result in (OK, SKIPPED) for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )


def record_beat_heartbeat() -> None:
    """Called by beat's most frequent sweep: the time readiness reads as beat's last run."""
    cache.set(BEAT_HEARTBEAT_KEY, timezone.now().timestamp(), timeout=3600)


def _run(check: Callable[[], str]) -> str:
    try:
        return check()
    except Exception as exc:  # a readiness probe reports any failure, it never raises
        return f"failed: {type(exc).__name__}"


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return OK


def _cache() -> str:
    if not _cache_is_shared():
        return SKIPPED
    token = str(time.monotonic())
    cache.set(CACHE_PROBE_KEY, token, timeout=30)
    return OK if cache.get(CACHE_PROBE_KEY) == token else "failed: no answer"


def _broker() -> str:
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return OK


def _worker() -> str:
    replies = app.control.ping(timeout=settings.SERVICEDESK_READY_WORKER_TIMEOUT, limit=1)
    return OK if replies else "failed: no worker answered"


def _beat() -> str:
    if not _cache_is_shared():
        return SKIPPED
    last = cache.get(BEAT_HEARTBEAT_KEY)
    if last is None:
        return "failed: no sweep recorded"
    age = timezone.now().timestamp() - float(last)
    return OK if age <= settings.SERVICEDESK_READY_BEAT_MAX_AGE_SECONDS else "failed: late"


def _migrations() -> str:
    # The migration graph takes a while to load; once none is pending, a minute's trust.
    if time.monotonic() - _migrations_checked.get("at", -1e9) < 60:
        return OK
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return "failed: migrations pending"
    _migrations_checked["at"] = time.monotonic()
    return OK


def _cache_is_shared() -> bool:
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "worker": _worker,
    "beat": _beat,
    "migrations": _migrations,
}
