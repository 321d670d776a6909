"""Celery settings: broker from the environment, one queue per kind of work, safe task defaults."""

import environ
from kombu import Queue

from servicedesk.settings.paths import VAR_DIR

env = environ.Env()

WORK_QUEUES = ("routing", "chatbot", "sla", "handoffs", "notifications", "default", "long")
# Model training, forecasting and the other tasks that may run for minutes (workflows/tasks.py,
# LONG): their own queue, taken one at a time by workers started for it (compose.yaml,
# docs/deployment.md), so they never hold the default queue's sweeps back.
LONG_TASKS = (
    "default.train_eta_model",
    "default.forecast_staffing",
    "default.sweep_breach_risk",
    "default.sweep_attachment_files",
)

_broker = env.str("CELERY_BROKER_URL", default="") or env.str("REDIS_URL", default="")
if _broker:
    CELERY_BROKER_URL = _broker
    # A task not acknowledged within this time is delivered again (acks_late); it must be
    # longer than the longest task, and deadlines never ride on ETA tasks (see DESIGN).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # The embedded default: kombu's filesystem transport needs no server.
    _broker_dir = VAR_DIR / "broker"
    # The transport ignores the host, but without one kombu warns on every publish.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
    for _sub in ("queue", "control", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)

CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Routing messages are taken in batches of up to 32 (workflows/tasks.py), which a worker can only
# fill if it may hold that many unacknowledged messages per process. Tasks are short; a worker
# for slow work only (webhooks) may run with --prefetch-multiplier 1.
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=32)
CELERY_TASK_SOFT_TIME_LIMIT = 30
CELERY_TASK_TIME_LIMIT = 60
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in WORK_QUEUES]
# Task names are "<queue>.<verb>_<noun>"; the prefix picks the queue, except for the long tasks
# (Celery matches an exact name before any pattern). Their names keep "default." so that a
# message queued before the long queue existed is still understood.
CELERY_TASK_ROUTES = {
    **{name: {"queue": "long"} for name in LONG_TASKS},
    **{f"{name}.*": {"queue": name} for name in WORK_QUEUES},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker tries a lost broker again every 2 s at most (Celery's waits grow to 30 s): after an
# outage it consumes within seconds of the broker's return (docs/reliability.md).
CELERY_WORKER_CONSUMER = "servicedesk.worker_consumer:PromptlyReconnectingConsumer"
# The API must not hang when the broker is down: publishing gives up fast, and the
# recovery sweep re-dispatches whatever was not enqueued.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-new-requests": {
        "task": "default.sweep_stuck_requests",
        "schedule": env.float("SERVICEDESK_RECOVERY_SWEEP_SECONDS", default=10.0),
        # A sweep not started within its interval is dropped (the next one does the same
        # work): while no worker runs, queued sweeps would each re-send every stuck request.
        "options": {"expires": env.float("SERVICEDESK_RECOVERY_SWEEP_SECONDS", default=10.0)},
    },
    "sweep-sla-clocks": {
        "task": "sla.sweep_clocks",
        "schedule": env.float("SERVICEDESK_SLA_SWEEP_SECONDS", default=30.0),
    },
    "sweep-ola-clocks": {
        "task": "handoffs.sweep_ola_clocks",
        "schedule": env.float("SERVICEDESK_OLA_SWEEP_SECONDS", default=30.0),
    },
    "sweep-unsent-notifications": {
        "task": "notifications.sweep_unsent_notifications",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # Notices whose task was lost (a broker crash), made from the event log.
    "feed-notices": {
        "task": "notifications.feed_notices",
        "schedule": env.float("SERVICEDESK_NOTICE_FEED_SECONDS", default=30.0),
        "options": {"expires": env.float("SERVICEDESK_NOTICE_FEED_SECONDS", default=30.0)},
    },
    # Due webhook attempts (retries live in the database, not in ETA tasks), and the event
    # log read for lifecycle webhooks whose prompt task was lost.
    "sweep-webhook-deliveries": {
        "task": "notifications.sweep_webhook_deliveries",
        "schedule": env.float("SERVICEDESK_WEBHOOK_SWEEP_SECONDS", default=10.0),
        "options": {"expires": env.float("SERVICEDESK_WEBHOOK_SWEEP_SECONDS", default=10.0)},
    },
    "feed-webhook-events": {
        "task": "notifications.feed_webhook_events",
        "schedule": env.float("SERVICEDESK_WEBHOOK_FEED_SECONDS", default=30.0),
        "options": {"expires": env.float("SERVICEDESK_WEBHOOK_FEED_SECONDS", default=30.0)},
    },
    "sweep-chatbot-answer-timeouts": {
        "task": "chatbot.sweep_answer_timeouts",
        "schedule": 60.0,
    },
    # Stored files without a row (a process killed between writing and committing).
    "sweep-attachment-files": {
        "task": "default.sweep_attachment_files",
        "schedule": 6 * 3600.0,
    },
    "sweep-idempotency-keys": {
        "task": "default.sweep_idempotency_keys",
        "schedule": 3600.0,
    },
    "train-eta-model": {"task": "default.train_eta_model", "schedule": 6 * 3600.0},
    "sweep-breach-risk": {"task": "default.sweep_breach_risk", "schedule": 300.0},
    "forecast-staffing": {"task": "default.forecast_staffing", "schedule": 24 * 3600.0},
    "sweep-quality-alerts": {
        "task": "default.sweep_quality_alerts",
        "schedule": env.float("SERVICEDESK_QUALITY_ALERT_SWEEP_SECONDS", default=3600.0),
    },
    "poll-mailboxes": {
        "task": "default.poll_mailboxes",
        "schedule": env.float("SERVICEDESK_MAIL_POLL_SECONDS", default=60.0),
        # A poll not started within its interval is dropped: the next one reads the same mails.
        "options": {"expires": env.float("SERVICEDESK_MAIL_POLL_SECONDS", default=60.0)},
    },
    # Closed requests past SERVICEDESK_RETENTION_DAYS_CLOSED anonymised (a no-op while it is 0).
    "sweep-retention": {"task": "default.sweep_retention", "schedule": 3600.0},
    # PDCA cycles whose check fell due remind their owner once (apps/simulation/pdca).
    "sweep-cycle-checks": {"task": "default.sweep_cycle_checks", "schedule": 3600.0},
    "sweep-auto-close": {
        "task": "default.sweep_auto_close",
        "schedule": env.float("SERVICEDESK_AUTO_CLOSE_SWEEP_SECONDS", default=3600.0),
    },
}
# Celery's Django fixup closes the database connection around every task unless told to
# reuse it; reusing it is worth about 6x on small tasks (see issue 10's measurements).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
