"""Inbound mail from providers' webhooks (django-anymail): the same intake as IMAP polling,
idempotent by Message-ID (providers retry a webhook that did not answer 2xx)."""

import logging
from email.utils import getaddresses

from anymail.signals import inbound
from django.db import DatabaseError
from django.dispatch import receiver

from apps.mail.intake import keep_aside, take_in
from apps.mail.models import Mailbox

logger = logging.getLogger(__name__)


@receiver(inbound, dispatch_uid="apps.mail.take_in_webhook_mail")
def take_in_webhook_mail(sender, event, esp_name: str, **kwargs) -> None:
    """A provider posted a mail: take it in for the mailbox whose address it was sent to.
    A database error propagates: the provider gets an error status and posts the mail again
    later. Anything else unexpected keeps the mail aside as malformed."""
    message = event.message
    raw = _bytes_of(message)
    mailbox = mailbox_for(message)
    source = f"anymail:{esp_name.lower()}"
    try:
        take_in(raw, mailbox=mailbox, source=source)
    except DatabaseError:
        raise
    except Exception as exc:
        logger.exception("inbound mail from %s could not be taken in", esp_name)
        keep_aside(raw, mailbox=mailbox, source=source, reason=f"intake failed: {exc!r}")


def _bytes_of(message) -> bytes:
    """The mail as bytes; a message the email package cannot write out again (broken header
    encodings) as lenient text, so that it is still recorded."""
    try:
        return bytes(message.as_bytes())
    except Exception:  # any failure to serialise: fall back, never lose the mail
        return str(message.as_string(policy=message.policy.clone(utf8=True))).encode(
            "utf-8", "surrogateescape"
        )


def mailbox_for(message) -> Mailbox | None:
    """The active mailbox whose address the mail was sent to (envelope recipient first)."""
    addresses = [getattr(message, "envelope_recipient", None) or ""]
    for name in ("To", "Cc", "Delivered-To"):
        addresses += [a for _n, a in getaddresses([str(v) for v in message.get_all(name, [])])]
    for address in filter(None, addresses):
        mailbox = Mailbox.objects.filter(address__iexact=address.strip(), active=True).first()
        if mailbox is not None:
            return mailbox
    return None
