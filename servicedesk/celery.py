"""The Celery app: configured from Django settings (CELERY_*), tasks found in workflows/."""

import os

from celery import Celery
from celery.signals import (
    setup_logging,
    task_postrun,
    task_prerun,
    worker_process_init,
    worker_ready,
)

from servicedesk.metrics.tasks import connect_task_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings.local")

app = Celery("servicedesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["workflows"], related_name="tasks")


@setup_logging.connect
def log_as_django_does(**kwargs) -> None:
    """Workers log through Django's LOGGING (JSON lines in production, each with the task id)
    rather than Celery's own handlers: with this signal connected, Celery configures none."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@task_prerun.connect
@task_postrun.connect
def drop_broken_database_connections(**kwargs) -> None:
    """Connections are reused across tasks (CELERY_DB_REUSE_MAX), and Celery's fixup never
    checks them: one the database dropped (a restart, a failover, a terminated backend) would
    fail every later task of the process. Close a connection that saw an error and no longer
    answers, so the next query (a retry) connects again, as Django does between requests."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.errors_occurred:
            if connection.is_usable():
                connection.errors_occurred = False
            else:
                connection.close()


@worker_process_init.connect
def warm_up(**kwargs) -> None:
    """Each worker process builds its FAQ index at start, not in its first chatbot task."""
    from servicedesk.warmup import start_warming

    start_warming()


@worker_ready.connect
def serve_worker_metrics(**kwargs) -> None:
    """The worker's task outcomes on its own port, where one is set (servicedesk/metrics/)."""
    from django.conf import settings

    from servicedesk.metrics.worker_exporter import start_worker_exporter

    if settings.SERVICEDESK_METRICS_WORKER_PORT:
        start_worker_exporter(
            address=settings.SERVICEDESK_METRICS_WORKER_ADDRESS,
            port=settings.SERVICEDESK_METRICS_WORKER_PORT,
        )


connect_task_signals()
