"""The reference task of bench/routing.py: one ORM UPDATE of a row by id, on the routing queue."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import timezone

REFERENCE_TASK = "routing.bench_touch_user"


@shared_task(name=REFERENCE_TASK)
def touch_user(user_id: int) -> None:
    # The timestamp is the task's completion mark: the benchmark reads the last one.
    get_user_model().objects.filter(pk=user_id).update(last_login=timezone.now())


MAIL_REFERENCE_TASK = "notifications.bench_send_mail"


@shared_task(name=MAIL_REFERENCE_TASK)
def send_reference_mail(tag: str, to: str) -> None:
    """bench/notification_delay.py's reference: one plain mail through Django's backend, the
    least a notification's path (broker, worker, SMTP) can cost."""
    from django.core.mail import send_mail

    send_mail(f"reference {tag}", "reference", None, [to])
