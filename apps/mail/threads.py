"""Which request a mail answers: the Message-IDs it names (our notifications' and the
customer's earlier mails') and the reference in its subject; only the sender's own."""

import re

from apps.accounts.models import Customer
from apps.lifecycle.reference import parse_reference
from apps.mail.models import InboundMail
from apps.mail.parsing import ParsedMail
from apps.notifications.models import Notification
from apps.tickets.models import ServiceRequest

_SUBJECT_REFERENCE = re.compile(r"\bSR-\d{1,18}\b", re.IGNORECASE)


def request_answered(mail: ParsedMail, customer: Customer) -> ServiceRequest | None:
    """The customer's request the mail answers, or None (a new request). The headers come
    first (In-Reply-To, then References newest first), then the subject's `[SR-000123]`; a
    request of another customer is never threaded onto, whatever the mail names."""
    for pk in candidates(mail):
        request = ServiceRequest.objects.filter(pk=pk, customer=customer).first()
        if request is not None:
            return request
    return None


def candidates(mail: ParsedMail) -> list[int]:
    """The request ids the mail names, most reliable first."""
    found: list[int] = []
    if mail.thread_ids:
        named = dict(
            Notification.objects.filter(
                message_id__in=mail.thread_ids, request__isnull=False
            ).values_list("message_id", "request_id")
        )
        named.update(
            InboundMail.objects.filter(
                message_id__in=mail.thread_ids, request__isnull=False
            ).values_list("message_id", "request_id")
        )
        found += [named[i] for i in mail.thread_ids if i in named]
    for match in _SUBJECT_REFERENCE.findall(mail.subject):
        pk = parse_reference(match)
        if pk is not None:
            found.append(pk)
    return list(dict.fromkeys(found))
