"""Delivering notifications by e-mail through Django's backend (webhooks: workflows/webhooks.py)."""

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.utils import timezone

from apps.notifications.models import Notification
from workflows.enqueue import enqueue

logger = logging.getLogger(__name__)

# Work older than this with no attempt yet was lost on the way to the broker; younger work may
# still be queued behind other tasks. Older than a day is no longer worth sending.
UNSENT_AFTER = timedelta(minutes=10)
UNSENT_UNTIL = timedelta(days=1)


def send_notification_email(notification_id: int) -> str:
    """E-mail the notification to its recipient unless that was done; return what happened.

    At least once: a worker lost between sending and recording may send it again."""
    notification = (
        Notification.objects.select_related("recipient", "request").filter(pk=notification_id)
    ).first()
    if notification is None:
        return "gone"
    if notification.emailed_at is not None:
        return "already sent"
    user = notification.recipient
    if not (user.is_active and user.email):
        Notification.objects.filter(pk=notification.pk).update(email_wanted=False)
        return "no address"
    body = notification.body
    if notification.request_id:
        body = f"{body}\n\n{notification.request.reference}: {notification.request.subject}"
    # A line break in a subject is a header injection to Django (BadHeaderError).
    subject = " ".join(notification.title.split())
    send_mail(subject, body, None, [user.email])
    Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    return "sent"


def redispatch_unsent_notifications() -> int:
    """Enqueue again the e-mails whose tasks never ran (a broker outage at commit time); return
    how many were sent to the broker."""
    now = timezone.now()
    window = {"created_at__lt": now - UNSENT_AFTER, "created_at__gt": now - UNSENT_UNTIL}
    emails = Notification.objects.filter(email_wanted=True, emailed_at__isnull=True, **window)
    sent = 0
    for notification_id in emails.values_list("pk", flat=True).order_by("pk")[:1000]:
        sent += enqueue("notifications.send_email", notification_id=notification_id)
    return sent
