"""Celery tasks: thin wrappers that take ids, re-fetch, and call the plain functions beside them."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from apps.api.idempotency import purge_expired_keys
from apps.core.errors import Conflict
from apps.sla import sweep as sla_sweep
from workflows import assignment, chatbot, notifications, routing, sweeps

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


@shared_task(name="chatbot.sweep_answer_timeouts", **RETRY)
def sweep_answer_timeouts() -> int:
    return chatbot.time_out_answers()


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


@shared_task(name="notifications.send_email", **{**RETRY, "autoretry_for": (*TRANSIENT, OSError)})
def send_email(notification_id: int) -> str:
    # OSError covers SMTP errors and a mail server that is down or refusing.
    return notifications.send_notification_email(notification_id)


@shared_task(bind=True, name="notifications.deliver_webhook", **RETRY)
def deliver_webhook(self, delivery_id: int) -> str:
    # The backoff is read here, not in the decorator, so that settings apply at run time.
    max_retries = settings.SERVICEDESK_WEBHOOK_MAX_RETRIES
    try:
        return notifications.deliver_webhook(
            delivery_id, last_attempt=self.request.retries >= max_retries
        )
    except notifications.WebhookDeliveryError as exc:
        countdown = notifications.retry_countdown(self.request.retries)
        raise self.retry(exc=exc, countdown=countdown, max_retries=max_retries) from exc


@shared_task(name="notifications.sweep_unsent_notifications", **RETRY)
def sweep_unsent_notifications() -> int:
    return notifications.redispatch_unsent_notifications()


@shared_task(name="sla.sweep_clocks", **RETRY)
def sweep_sla_clocks() -> int:
    return sla_sweep.sweep_due_clocks()


@shared_task(name="sla.apply_manual_escalation", **RETRY)
def apply_manual_escalation(request_id: int, event_seq: int) -> bool:
    return sla_sweep.apply_manual_escalation(request_id, event_seq=event_seq)
