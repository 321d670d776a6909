"""Celery task outcomes, counted in the process that ran the task.

Tasks run in the worker's pool processes, so the counter needs `PROMETHEUS_MULTIPROC_DIR`
(shared by a worker's processes) to be read from anywhere else: by the worker's own exporter
(`SERVICEDESK_METRICS_WORKER_PORT`, servicedesk/metrics/worker_exporter.py) or, where web and
worker processes share a machine and the directory, by the web's `/metrics`. The task label is
the registered task's name, so its values are bounded by the tasks in workflows/tasks.py."""

from collections.abc import Callable
from typing import Any

from celery.signals import task_failure, task_retry, task_revoked, task_success
from prometheus_client import Counter

TASK_OUTCOMES = Counter(
    "servicedesk_celery_tasks",
    "Celery tasks finished, by task name and outcome (succeeded, failed, retried, revoked).",
    ["task", "outcome"],
)


def _count(outcome: str) -> Callable[..., None]:
    def receiver(sender: Any = None, **kwargs: Any) -> None:
        name = getattr(sender, "name", None)
        if name:
            TASK_OUTCOMES.labels(task=name, outcome=outcome).inc()

    return receiver


_RECEIVERS = {
    "succeeded": (task_success, _count("succeeded")),
    "failed": (task_failure, _count("failed")),
    "retried": (task_retry, _count("retried")),
    "revoked": (task_revoked, _count("revoked")),
}


def connect_task_signals() -> None:
    """Count every task outcome of this process (idempotent: weak=False, one receiver each)."""
    for signal, receiver in _RECEIVERS.values():
        signal.connect(receiver, weak=False, dispatch_uid=f"metrics:{signal.name}")
