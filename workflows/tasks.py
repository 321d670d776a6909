"""Celery tasks: thin wrappers that take ids, re-fetch, and call the plain functions beside them."""

from celery import shared_task
from celery.utils.log import get_task_logger
from django.db import InterfaceError, OperationalError

from apps.api.idempotency import purge_expired_keys
from apps.core.errors import Conflict
from apps.tickets import attachments
from servicedesk.health import record_beat_heartbeat
from workflows import (
    assignment,
    chatbot,
    handoffs,
    mail,
    notices,
    notices_feed,
    notifications,
    privacy,
    quality,
    routing,
    sla_sweep,
    sweeps,
    webhook_feed,
    webhooks,
)
from workflows import improvement as improvement_work
from workflows.batches import ReconnectingBatches

logger = get_task_logger(__name__)
TRANSIENT = (OperationalError, InterfaceError, Conflict)
# A routing batch is flushed at this many messages or after this wait; the worker's prefetch
# (CELERY_WORKER_PREFETCH_MULTIPLIER x concurrency) must hold a batch for it to fill.
ROUTING_BATCH = 32
ROUTING_BATCH_WAIT_SECONDS = 0.1
ROUTING_BATCH_IDS = 50  # requests routed in one transaction at most
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 8,
    "retry_jitter": True,
}


@shared_task(
    name="routing.route_request",
    base=ReconnectingBatches,
    flush_every=ROUTING_BATCH,
    flush_interval=ROUTING_BATCH_WAIT_SECONDS,
)
def route_request(requests) -> dict:
    """Routing messages (`request_id=`, or `request_ids=` from a web process's gatherer) are
    taken in batches: one transaction routes and assigns what a busy desk sends within a few
    milliseconds (see docs/routing.md)."""
    ids = sorted(
        {i for r in requests for i in r.kwargs.get("request_ids") or [r.kwargs["request_id"]]}
    )
    # A transaction per ROUTING_BATCH_IDS: after an outage 32 messages of held ids or the
    # sweep's may carry thousands, which one transaction would route only at its end (or not at
    # all, past the time limit) while it holds the agents' locks that every other batch needs.
    outcomes = {}
    for start in range(0, len(ids), ROUTING_BATCH_IDS):
        outcomes.update(routing.route_batch(ids[start : start + ROUTING_BATCH_IDS]))
    # Batches do not log their result as other tasks do.
    logger.info("routing.route_request: %s", outcomes)
    return outcomes


@shared_task(name="routing.assign_request", **RETRY)
def assign_request(request_id: int) -> str:
    return assignment.assign_request(request_id)


@shared_task(name="routing.assign_waiting", **RETRY)
def assign_waiting(department_id: int) -> int:
    return assignment.assign_waiting(department_id)


@shared_task(name="routing.assign_freed_capacity", **RETRY)
def assign_freed_capacity(agent_id: int) -> int:
    return assignment.assign_freed_capacity(agent_id)


@shared_task(name="routing.requeue_offline_agent", **RETRY)
def requeue_offline_agent(agent_id: int) -> int:
    return assignment.requeue_offline_agent(agent_id)


@shared_task(name="chatbot.answer_request", **RETRY)
def answer_request(request_id: int) -> str:
    return chatbot.answer_request(request_id)


@shared_task(name="chatbot.answer_requests", **RETRY)
def answer_requests(request_ids: list[int]) -> dict:
    """What a web process submitted within a few milliseconds (workflows/gather.py)."""
    return chatbot.answer_requests(request_ids)


@shared_task(name="chatbot.sweep_answer_timeouts", **RETRY)
def sweep_answer_timeouts() -> int:
    return chatbot.time_out_answers()


@shared_task(name="default.sweep_stuck_requests", **RETRY)
def sweep_stuck_requests() -> int:
    record_beat_heartbeat()  # beat's most frequent sweep: /readyz reads its last run
    return sweeps.redispatch_stuck_requests()


@shared_task(name="default.sweep_auto_close", **RETRY)
def sweep_auto_close() -> int:
    return sweeps.auto_close_resolved()


@shared_task(name="default.sweep_retention", **RETRY)
def sweep_retention() -> int:
    return privacy.sweep_retention()


@shared_task(name="default.sweep_idempotency_keys", **RETRY)
def sweep_idempotency_keys() -> int:
    return purge_expired_keys()


@shared_task(name="default.ping")
def ping(token: str) -> str:
    """Echo a token: lets tests and health checks see that a worker consumes tasks."""
    return token


@shared_task(name="notifications.send_email", **{**RETRY, "autoretry_for": (*TRANSIENT, OSError)})
def send_email(notification_id: int) -> str:
    # OSError covers SMTP errors and a mail server that is down or refusing.
    return notifications.send_notification_email(notification_id)


@shared_task(name="notifications.deliver_webhook", **RETRY)
def deliver_webhook(delivery_id: int, hand_off: str | None = None) -> str:
    # Failed attempts are not Celery retries: the next one waits in the database.
    return webhooks.deliver_webhook(delivery_id, hand_off=hand_off)


@shared_task(name="notifications.sweep_webhook_deliveries", **RETRY)
def sweep_webhook_deliveries() -> int:
    return webhooks.sweep_due_deliveries()


@shared_task(name="notifications.publish_request_event", **RETRY)
def publish_request_event(
    request_id: int, event_seq: int | None = None, message_id: int | None = None
) -> int:
    return webhook_feed.publish_request_event(
        request_id, event_seq=event_seq, message_id=message_id
    )


@shared_task(name="notifications.feed_webhook_events", **RETRY)
def feed_webhook_events() -> int:
    return webhook_feed.feed_from_log()


@shared_task(name="notifications.feed_notices", **RETRY)
def feed_notices() -> int:
    return notices_feed.feed_notices()


@shared_task(name="notifications.sweep_unsent_notifications", **RETRY)
def sweep_unsent_notifications() -> int:
    return notifications.redispatch_unsent_notifications()


@shared_task(name="sla.sweep_clocks", **RETRY)
def sweep_sla_clocks() -> int:
    return sla_sweep.sweep_due_clocks()


@shared_task(name="sla.apply_manual_escalation", **RETRY)
def apply_manual_escalation(request_id: int, event_seq: int) -> bool:
    return sla_sweep.apply_manual_escalation(request_id, event_seq=event_seq)


@shared_task(name="handoffs.notify_handoff", **RETRY)
def notify_handoff(handoff_id: int, step: str) -> str:
    return handoffs.notify_handoff(handoff_id, step)


@shared_task(name="handoffs.sweep_ola_clocks", **RETRY)
def sweep_ola_clocks() -> int:
    return handoffs.sweep_ola_clocks()


@shared_task(name="default.sweep_quality_alerts", **RETRY)
def sweep_quality_alerts() -> int:
    return quality.raise_quality_alerts()


@shared_task(name="notifications.notify_transition", **RETRY)
def notify_transition(request_id: int, event_seq: int) -> int:
    return notices.notify_transition(request_id, event_seq)


@shared_task(name="notifications.notify_message", **RETRY)
def notify_message(message_id: int) -> int:
    return notices.notify_message(message_id)


@shared_task(name="notifications.invite_feedback", **RETRY)
def invite_feedback(request_id: int) -> int:
    # Replaced by notify_transition; kept for messages queued before the upgrade.
    return notices.notify_resolved(request_id)


# Training and forecasting read the whole history: minutes, not the default seconds.
LONG = {"soft_time_limit": 600, "time_limit": 660}


@shared_task(name="default.sweep_attachment_files", **RETRY, **LONG)
def sweep_attachment_files() -> int:
    return len(attachments.sweep_attachment_files())


@shared_task(name="default.train_eta_model", **RETRY, **LONG)
def train_eta_model() -> int:
    return improvement_work.train_eta_model()


@shared_task(name="default.sweep_breach_risk", **RETRY, **LONG)
def sweep_breach_risk() -> int:
    return improvement_work.sweep_breach_risk()


@shared_task(name="default.forecast_staffing", **RETRY, **LONG)
def forecast_staffing() -> int:
    return improvement_work.forecast_staffing()


# A poll reads at most SERVICEDESK_MAIL_BATCH mails a mailbox, each in its own transaction.
POLL = {"soft_time_limit": 300, "time_limit": 360}


@shared_task(name="default.poll_mailboxes", **RETRY)
def poll_mailboxes() -> int:
    return mail.poll_mailboxes()


@shared_task(name="default.poll_mailbox", **RETRY, **POLL)
def poll_mailbox(mailbox_id: int) -> dict:
    return mail.poll_mailbox(mailbox_id)


@shared_task(name="notifications.send_mail_auto_reply", **{**RETRY, "autoretry_for": TRANSIENT})
def send_mail_auto_reply(inbound_id: int) -> str:
    return mail.send_auto_reply(inbound_id)
