"""Delivering notifications by e-mail through Django's backend (webhooks: workflows/webhooks.py)."""

import logging
from datetime import timedelta
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from apps.accounts.selectors import language_of
from apps.mail.models import InboundMail, Mailbox, Outcome
from apps.notifications.models import Notification
from workflows.enqueue import enqueue

logger = logging.getLogger(__name__)

# Work older than this with no attempt yet was lost on the way to the broker or with it; younger
# work may still be queued behind other tasks (sending one twice is harmless: the row is locked
# and checked, send_notification_email). Older than a day is no longer worth sending.
UNSENT_AFTER = timedelta(minutes=1)
UNSENT_UNTIL = timedelta(days=1)


def send_notification_email(notification_id: int) -> str:
    """E-mail the notification to its recipient unless that was done; return what happened.

    The mail threads: its Message-ID is kept on the notification (a reply names it), and it
    answers the earlier mails about the same request to the same person (`In-Reply-To`,
    `References`), with the request's reference in brackets in the subject. It is marked as
    sent automatically, so that vacation replies do not answer it.

    Once however often its task runs: the notification's row stays locked from the check to
    the record, so a second task for it (a send held through a broker outage and the sweep's,
    a message delivered twice) waits for the first and then finds it sent. At least once: a
    worker lost between sending and recording may send it again (with the same Message-ID,
    which mail clients show once)."""
    with transaction.atomic():
        return _send_locked(notification_id)


def _send_locked(notification_id: int) -> str:
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient", "request__customer")
        .filter(pk=notification_id)
    ).first()
    if notification is None:
        return "gone"
    if notification.emailed_at is not None:
        return "already sent"
    user = notification.recipient
    if not (user.is_active and user.email):
        Notification.objects.filter(pk=notification.pk).update(email_wanted=False)
        return "no address"
    message_id = _claim_message_id(notification)
    mail = EmailMessage(
        subject=mail_subject(notification),
        body=_mail_body(notification),
        to=[user.email],
        headers={
            "Message-ID": f"<{message_id}>",
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "Content-Language": language_of(user),
            **_thread_headers(notification),
        },
        reply_to=_reply_to(notification),
    )
    mail.send()
    Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    return "sent"


def mail_subject(notification: Notification) -> str:
    """The title, with the request's reference in brackets (added if the title lacks it); a
    line break in a subject is a header injection to Django (BadHeaderError)."""
    subject = " ".join(notification.title.split())
    if notification.request_id is None:
        return subject
    reference = notification.request.reference
    if reference in subject:
        return subject.replace(reference, f"[{reference}]", 1)
    return f"[{reference}] {subject}"


def _mail_body(notification: Notification) -> str:
    if notification.request_id is None:
        return notification.body
    request = notification.request
    return f"{notification.body}\n\n--\n{request.reference}: {request.subject}"


def _claim_message_id(notification: Notification) -> str:
    """The mail's Message-ID, chosen once and stored before sending: a reply that arrives
    before the send is recorded still finds its request."""
    if notification.message_id:
        return notification.message_id
    message_id = make_msgid(idstring=f"n{notification.pk}", domain=_mail_domain()).strip("<>")
    Notification.objects.filter(pk=notification.pk, message_id__isnull=True).update(
        message_id=message_id
    )
    notification.refresh_from_db(fields=["message_id"])
    return str(notification.message_id)


def _thread_headers(notification: Notification) -> dict[str, str]:
    """`In-Reply-To` the latest earlier mail of the thread and `References` its first and that
    one; nothing for the first mail of a thread. A thread is the mails about one request to one
    person; a customer's thread starts with the mail that opened the request, if one did."""
    if notification.request_id is None:
        return {}
    earlier = list(
        Notification.objects.filter(
            request_id=notification.request_id,
            recipient_id=notification.recipient_id,
            message_id__isnull=False,
            pk__lt=notification.pk,
        )
        .order_by("pk")
        .values_list("message_id", flat=True)
    )
    if _to_customer(notification):
        opening = (
            InboundMail.objects.filter(request_id=notification.request_id, outcome=Outcome.CREATED)
            .values_list("message_id", flat=True)
            .first()
        )
        earlier = [opening, *earlier] if opening else earlier
    if not earlier:
        return {}
    chain = list(dict.fromkeys([earlier[0], earlier[-1]]))
    return {
        "In-Reply-To": f"<{earlier[-1]}>",
        "References": " ".join(f"<{m}>" for m in chain),
    }


def _reply_to(notification: Notification) -> list[str]:
    """Where the customer's answer goes: the mailbox their request came in by, else one of its
    department's, else SERVICEDESK_MAIL_REPLY_TO. Agents answer in the desk: none for them."""
    if not _to_customer(notification):
        return []
    request = notification.request
    mailboxes = Mailbox.objects.filter(active=True).exclude(address="")
    address = (
        mailboxes.filter(mails__request=request).values_list("address", flat=True).first()
        or mailboxes.filter(department_id=request.department_id or 0)
        .values_list("address", flat=True)
        .first()
        or settings.SERVICEDESK_MAIL_REPLY_TO
    )
    return [address] if address else []


def _to_customer(notification: Notification) -> bool:
    request = notification.request
    return request is not None and request.customer.user_id == notification.recipient_id


def _mail_domain() -> str:
    """SERVICEDESK_MAIL_DOMAIN, else DEFAULT_FROM_EMAIL's ("desk@example.com" -> "example.com")."""
    if settings.SERVICEDESK_MAIL_DOMAIN:
        return str(settings.SERVICEDESK_MAIL_DOMAIN)
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


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
