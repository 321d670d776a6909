"""Sending tasks: only after commit, and never failing or stalling the caller when the broker is
down.

A publish to a broker that is down costs seconds (the connection timeout and the publish
retries). After one fails, this process sends nothing for `SERVICEDESK_ENQUEUE_PAUSE_SECONDS`
and answers at once instead, so an API worker goes on serving creates at full speed through an
outage; what was not sent is re-dispatched by the recovery sweeps once the broker is back."""

import logging
from time import monotonic

from django.conf import settings
from django.db import transaction

from servicedesk.celery import app

logger = logging.getLogger(__name__)

_paused_until = 0.0  # monotonic() until which this process does not try the broker


def enqueue(task_name: str, **kwargs) -> bool:
    """Send `task_name` with `kwargs` now; on a broker failure (or within the pause after one)
    log it and return False (the recovery sweeps re-dispatch what was not sent)."""
    global _paused_until
    if monotonic() < _paused_until:
        logger.warning(
            "Could not enqueue %s %s: the broker failed moments ago; a sweep will retry it",
            task_name,
            kwargs,
        )
        return False
    try:
        app.send_task(task_name, kwargs=kwargs)
    except Exception:
        _paused_until = monotonic() + settings.SERVICEDESK_ENQUEUE_PAUSE_SECONDS
        logger.exception("Could not enqueue %s %s; a sweep will retry it", task_name, kwargs)
        return False
    return True


def enqueue_on_commit(task_name: str, **kwargs) -> None:
    """Send `task_name` once the current transaction commits (at once outside of one)."""
    transaction.on_commit(lambda: enqueue(task_name, **kwargs), robust=True)
