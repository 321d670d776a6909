"""Sending tasks: only after commit, and never failing or stalling the caller when the broker is
down.

A publish to a broker that is down costs seconds (the connection timeout and the publish
retries). After one fails, this process sends nothing for `SERVICEDESK_ENQUEUE_PAUSE_SECONDS`
and answers at once instead, so an API worker goes on serving creates at full speed through an
outage. What was not sent is held by the process and sent again as soon as the broker answers
(workflows/held_sends.py); what a process dies holding, the recovery sweeps re-dispatch."""

import logging
from time import monotonic

from django.conf import settings
from django.db import transaction

from servicedesk.celery import app
from workflows.held_sends import held_sends

logger = logging.getLogger(__name__)

_paused_until = 0.0  # monotonic() until which this process does not try the broker


def enqueue(task_name: str, **kwargs) -> bool:
    """Send `task_name` with `kwargs` now; on a broker failure (or within the pause after one)
    log it, hold it to send again, and return False."""
    if monotonic() < _paused_until:
        logger.warning(
            "Could not enqueue %s %s: the broker failed moments ago; held to send again",
            task_name,
            kwargs,
        )
    elif publish(task_name, kwargs):
        return True
    held_sends.hold(task_name, kwargs, publish)
    return False


def publish(task_name: str, kwargs: dict, *, again: bool = False) -> bool:
    """One try to send; a failure logs and pauses this process's sends, a success ends the
    pause. Returns whether it was sent. A send `again` (held) logs its failure in one line."""
    global _paused_until
    try:
        app.send_task(task_name, kwargs=kwargs)
    except Exception as error:
        _paused_until = monotonic() + settings.SERVICEDESK_ENQUEUE_PAUSE_SECONDS
        if again:
            logger.warning("The broker still fails (%s); %s stays held", error, task_name)
        else:
            logger.exception("Could not enqueue %s %s; held to send again", task_name, kwargs)
        return False
    _paused_until = 0.0
    return True


def enqueue_on_commit(task_name: str, **kwargs) -> None:
    """Send `task_name` once the current transaction commits (at once outside of one)."""
    transaction.on_commit(lambda: enqueue(task_name, **kwargs), robust=True)
