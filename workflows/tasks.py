"""Celery tasks: thin wrappers that take ids, re-fetch, and call the plain functions beside them."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from apps.api.idempotency import purge_expired_keys
from apps.core.errors import Conflict
from workflows import routing, sweeps

TRANSIENT = (OperationalError, InterfaceError, Conflict)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 8,
    "retry_jitter": True,
}


@shared_task(name="routing.route_request", **RETRY)
def route_request(request_id: int) -> str:
    return routing.route_request(request_id)


@shared_task(name="default.sweep_stuck_requests", **RETRY)
def sweep_stuck_requests() -> int:
    return sweeps.redispatch_stuck_requests()


@shared_task(name="default.sweep_auto_close", **RETRY)
def sweep_auto_close() -> int:
    return sweeps.auto_close_resolved()


@shared_task(name="default.sweep_idempotency_keys", **RETRY)
def sweep_idempotency_keys() -> int:
    return purge_expired_keys()


@shared_task(name="default.ping")
def ping(token: str) -> str:
    """Echo a token: lets tests and health checks see that a worker consumes tasks."""
    return token
