"""Sending tasks: only after commit, and never failing the caller when the broker is down."""

import logging

from django.db import transaction

from servicedesk.celery import app

logger = logging.getLogger(__name__)


def enqueue(task_name: str, **kwargs) -> bool:
    """Send `task_name` with `kwargs` now; on a broker failure log it and return False (the
    recovery sweeps re-dispatch what was not sent)."""
    try:
        app.send_task(task_name, kwargs=kwargs)
    except Exception:
        logger.exception("Could not enqueue %s %s; a sweep will retry it", task_name, kwargs)
        return False
    return True


def enqueue_on_commit(task_name: str, **kwargs) -> None:
    """Send `task_name` once the current transaction commits (at once outside of one)."""
    transaction.on_commit(lambda: enqueue(task_name, **kwargs), robust=True)
