"""The mail intake's work on the workers: polling the mailboxes, and the one auto-reply an
unknown sender gets when unknown senders are rejected."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.mail import imap
from apps.mail.models import InboundMail, Mailbox, Outcome
from workflows.enqueue import enqueue

logger = logging.getLogger(__name__)
# An unknown sender gets at most one auto-reply in this time, whatever they send.
AUTO_REPLY_EVERY = timedelta(days=1)


def poll_mailboxes() -> int:
    """One task per active mailbox, so that several workers poll several mailboxes at once
    (one poll of a mailbox at a time: apps/mail/imap.py); how many were sent."""
    ids = Mailbox.objects.filter(active=True).values_list("pk", flat=True)
    return sum(enqueue("default.poll_mailbox", mailbox_id=pk) for pk in ids)


def poll_mailbox(mailbox_id: int) -> dict[str, int]:
    """Take in the mailbox's new mails; what they became (nothing: gone or inactive)."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id, active=True).first()
    return dict(imap.poll_mailbox(mailbox)) if mailbox is not None else {}


def send_auto_reply(inbound_id: int) -> str:
    """Tell a rejected sender that the desk does not take mail from their address: once per
    mail and at most once a day per address, never to an automatic mail (those are ignored,
    not rejected). At most once: the reply is recorded before it is sent, so a worker lost
    while sending sends nothing again (a missing auto-reply is better than a loop)."""
    with transaction.atomic():
        inbound = (
            InboundMail.objects.select_for_update(of=("self",))
            .select_related("mailbox")
            .filter(pk=inbound_id, outcome=Outcome.REJECTED)
            .first()
        )
        if inbound is None or inbound.auto_replied_at is not None or not inbound.from_address:
            return "nothing to answer"
        now = timezone.now()
        if InboundMail.objects.filter(
            from_address=inbound.from_address, auto_replied_at__gt=now - AUTO_REPLY_EVERY
        ).exists():
            return "answered recently"
        inbound.auto_replied_at = now
        inbound.save(update_fields=["auto_replied_at"])
    _auto_reply(inbound).send()
    return "sent"


def _auto_reply(inbound: InboundMail) -> EmailMessage:
    sender = (inbound.mailbox.address if inbound.mailbox else "") or settings.DEFAULT_FROM_EMAIL
    reference = f"<{inbound.message_id}>"
    return EmailMessage(
        subject=_("Your e-mail to the service desk was not accepted"),
        body=_(
            "The service desk takes requests by e-mail only from the addresses of its "
            "customers, and %(address)s is not one of them. Please write from the address "
            "your account uses, or contact us another way.\n\nThis is an automatic reply."
        )
        % {"address": inbound.from_address},
        from_email=sender,
        to=[inbound.from_address],
        headers={
            # RFC 3834: other machines must not answer this one.
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
            "In-Reply-To": reference,
            "References": reference,
        },
    )
