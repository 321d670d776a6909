"""Taking in one raw mail, once: a new request, a message on the request it answers, or a
record of why not (automatic mail, unknown sender, malformed, too large).

The mail's Message-ID (or a hash of its bytes) is unique on `InboundMail`, and that row is
written in the transaction that creates the request or the message: a mail taken in twice
(a mailbox polled twice, a worker killed before it marked the mail seen, a provider's retried
webhook) finds its row and creates nothing again.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.actors import SYSTEM, Actor, Role
from apps.accounts.models import Customer
from apps.accounts.selectors import language_of
from apps.core.door import announce_on_commit
from apps.core.errors import Forbidden, NotAllowed
from apps.lifecycle.channel import Channel
from apps.lifecycle.states import State
from apps.mail import senders, threads
from apps.mail.models import InboundMail, Mailbox, Outcome
from apps.mail.parsing import MalformedMail, ParsedMail, header_summary, message_id_of, parse_mail
from apps.mail.signals import mail_taken_in
from apps.tickets.attachments import (
    IncomingFile,
    do_post_message_with_files,
    do_submit_request_with_files,
    split_acceptable,
)
from apps.tickets.models import Message, ServiceRequest
from apps.tickets.services import transition
from apps.tickets.transition_data import RouteData

logger = logging.getLogger(__name__)
# States in which a customer's mail starts a new request that refers to the old one.
FINISHED = frozenset({State.CLOSED, State.CANCELLED})


def take_in(
    raw: bytes, *, mailbox: Mailbox | None = None, source: str = "imap", size: int | None = None
) -> InboundMail:
    """Take in one mail (`raw`: its bytes, or only its headers when `size`, the size the
    server announced, is over `SERVICEDESK_MAIL_MAX_BYTES`) and return its record.

    Writes, in one transaction: the `InboundMail` row and what the mail makes (a request
    through `do_submit_request`, routed to the mailbox's department if it has one; or a
    customer's message through `do_post_message`, which resumes a request pending on the
    customer; a customer for an unknown sender when `SERVICEDESK_MAIL_UNKNOWN_SENDERS` is
    `create`). Enqueues: `mail_taken_in` after commit (workers send the auto-reply to a
    rejected sender, and assign a request the mailbox routed). A mail already taken in
    returns its first record, `repeated`, and writes nothing. Raises: only database errors
    (the caller leaves the mail for the next poll).
    """
    message_id = message_id_of(raw)
    existing = _repeated(message_id)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _take_in(raw, message_id=message_id, mailbox=mailbox, source=source, size=size)
    except IntegrityError:
        # Another process took the same mail in meanwhile: its record stands.
        existing = _repeated(message_id)
        if existing is None:
            raise
        return existing


def _repeated(message_id: str) -> InboundMail | None:
    """The record of a mail taken in before, marked `repeated`."""
    existing = InboundMail.objects.filter(message_id=message_id).first()
    if existing is not None:
        existing.repeated = True
    return existing


def keep_aside(
    raw: bytes, *, mailbox: Mailbox | None, source: str, reason: str
) -> InboundMail | None:
    """Record a mail the intake failed on unexpectedly as malformed, whole, with the reason:
    the poller marks it seen and goes on; an administrator finds it in the admin."""
    context = _Context(message_id_of(raw), mailbox, source, len(raw))
    try:
        with transaction.atomic():
            return _record(context, Outcome.MALFORMED, reason, keep=raw)
    except IntegrityError:
        return InboundMail.objects.filter(message_id=context.message_id).first()


@dataclass(frozen=True)
class _Context:
    """Where a mail came from, for its record."""

    message_id: str
    mailbox: Mailbox | None
    source: str
    size: int


def _take_in(
    raw: bytes, *, message_id: str, mailbox: Mailbox | None, source: str, size: int | None
) -> InboundMail:
    context = _Context(message_id, mailbox, source, max(size or 0, len(raw)))
    limit = settings.SERVICEDESK_MAIL_MAX_BYTES
    if context.size > limit:
        reason = f"{context.size} bytes, over the limit of {limit} (SERVICEDESK_MAIL_MAX_BYTES)"
        # Only the headers are kept: the whole mail stays on the server, read and flagged.
        return _record(context, Outcome.TOO_LARGE, reason, keep=_headers_of(raw))
    try:
        mail = parse_mail(raw)
    except MalformedMail as exc:
        return _record(context, Outcome.MALFORMED, str(exc), keep=raw)
    if mail.automatic:
        return _record(context, Outcome.IGNORED, mail.automatic, mail=mail)
    customer, refusal = senders.customer_for(mail)
    if customer is None:
        return _record(context, Outcome.REJECTED, refusal, keep=raw, mail=mail)
    actor = Actor(role=Role.CUSTOMER, user=customer.user, customer_id=customer.pk)
    earlier = _merged_onward(threads.request_answered(mail, customer))
    if earlier is not None and earlier.state not in FINISHED:
        try:
            message = _post_reply(earlier, mail, actor)
        except NotAllowed:
            earlier.refresh_from_db()  # closed meanwhile: a follow-up, as below
        else:
            return _record(context, Outcome.THREADED, mail=mail, request=earlier, message=message)
    request = _submit(mail, customer, actor, mailbox, follows=earlier)
    return _record(context, Outcome.CREATED, mail=mail, request=request)


def _merged_onward(request: ServiceRequest | None) -> ServiceRequest | None:
    """A reply to a request merged into another goes on there (merges stay with one customer);
    a few hops at most, as a request merged into may be merged again later."""
    for _hop in range(5):
        if request is None or request.merged_into_id is None:
            return request
        request = request.merged_into
    return request


def _post_reply(request: ServiceRequest, mail: ParsedMail, actor: Actor):
    """The customer's reply as a message; a reply to a resolved request reopens it (within
    the reopen window), as a reply through the API followed by reopen would."""
    with translation.override(language_of(actor.user)):
        body = mail.reply_text or _("(An e-mail without text.)")
        files, left_out = acceptable_files(mail)
    message = do_post_message_with_files(
        request, actor=actor, body="\n\n".join(filter(None, [body, left_out])), files=files
    )
    request.refresh_from_db()
    if request.state == State.RESOLVED:
        try:
            # The log records why in data, not in words of one language.
            transition(request, "reopen", actor=actor, explain={"by": "e-mail reply"})
        except (NotAllowed, Forbidden):
            logger.info("%s: a reply by e-mail did not reopen it", request.reference)
    return message


def _submit(
    mail: ParsedMail,
    customer: Customer,
    actor: Actor,
    mailbox: Mailbox | None,
    *,
    follows: ServiceRequest | None,
) -> ServiceRequest:
    """A new request; one answering a closed or cancelled request says which, and carries
    only the reply (the quoted history is the old request's)."""
    # The words the desk adds are in the customer's language (they read the request too).
    with translation.override(language_of(customer.user)):
        description = mail.text
        if follows is not None:
            description = _("Follow-up to %(reference)s, which is %(state)s.") % {
                "reference": follows.reference,
                "state": follows.get_state_display(),
            }
            description += "\n\n" + mail.reply_text
        subject = mail.subject or _("E-mail from %(address)s") % {"address": mail.from_address}
        files, left_out = acceptable_files(mail)
        description = "\n\n".join(filter(None, [description, left_out]))
    request = do_submit_request_with_files(
        actor=actor,
        files=files,
        customer=customer,
        subject=subject,
        description=description[: ServiceRequest._meta.get_field("description").max_length],
        channel=Channel.EMAIL,
    )
    if mailbox is not None and mailbox.department_id is not None:
        request = transition(
            request,
            "route",
            actor=SYSTEM,
            data=RouteData(department=mailbox.department_id),
            explain={"mailbox": mailbox.name},
        )
    return request


def acceptable_files(mail: ParsedMail) -> tuple[list[IncomingFile], str]:
    """The mail's attachments the desk accepts (apps/tickets/attachments.py: type on the
    content, size, at most SERVICEDESK_ATTACHMENT_MAX_COUNT), and a line naming those left
    out with the reason (or ""), which is also recorded in `mail.attachments`: a signature's
    logo of a type the desk refuses must not stop the mail."""
    offered = [IncomingFile(name, content, declared) for name, content, declared in mail.files]
    accepted, refused = split_acceptable(offered)
    limit = settings.SERVICEDESK_ATTACHMENT_MAX_COUNT
    refused += [
        {"name": f.name, "reason": _("more than %(limit)d files") % {"limit": limit}}
        for f in accepted[limit:]
    ]
    reasons = {r["name"]: r["reason"] for r in refused}
    for described in mail.attachments:
        if described["name"] in reasons:
            described["refused"] = reasons[described["name"]]
    if not refused:
        return accepted, ""
    names = "; ".join(f"{r['name']} ({r['reason']})" for r in refused)
    return accepted[:limit], _("Not attached: %(files)s") % {"files": names}


def _record(  # noqa: PLR0913  keyword-only after the reason: what the mail left or made
    context: _Context,
    outcome: str,
    reason: str = "",
    *,
    keep: bytes | None = None,
    mail: ParsedMail | None = None,
    request: ServiceRequest | None = None,
    message: Message | None = None,
) -> InboundMail:
    """Write the mail's record (`keep`: the bytes kept of a mail set aside) and announce it
    after commit."""
    if mail is not None:
        from_address, subject = mail.from_address, mail.subject
    else:
        from_address, subject = header_summary(keep or b"")
    inbound = InboundMail.objects.create(
        message_id=context.message_id,
        mailbox=context.mailbox,
        source=context.source,
        from_address=from_address,
        subject=subject[:255],
        received_at=timezone.now(),
        outcome=outcome,
        reason=reason,
        size=context.size,
        attachments=mail.attachments if mail is not None else [],
        request=request,
        posted_message=message,
        raw=keep,
    )
    routed = outcome == Outcome.CREATED and request is not None and request.state == State.QUEUED
    announce_on_commit(
        mail_taken_in,
        sender=InboundMail,
        inbound_id=inbound.pk,
        outcome=outcome,
        request_id=request.pk if request is not None else None,
        routed=routed,
    )
    return inbound


def _headers_of(raw: bytes) -> bytes:
    for separator in (b"\r\n\r\n", b"\n\n"):
        if separator in raw:
            return raw.split(separator, 1)[0] + separator
    return raw[:65536]
