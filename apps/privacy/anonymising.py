"""Anonymising requests: their texts, files, mails, notifications and webhook payloads.

Shared by a customer's erasure and by the retention sweep. What a request did (states, times,
departments, assignees, priorities, ratings, the event log's rows) stays: the metrics, the
process map and the replay check read only that. What people wrote goes."""

from collections import Counter
from collections.abc import Iterable

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q

from apps.eventlog.models import Event
from apps.handoffs.models import Handoff
from apps.lifecycle.reference import format_reference
from apps.mail.models import InboundMail
from apps.notifications.models import Notification, WebhookDelivery
from apps.privacy.event_redaction import redact_event_payloads
from apps.privacy.models import AnonymisedRequest, PrivacyRecord
from apps.privacy.scrubbing import ERASED, scrub
from apps.tickets.models import Attachment, Feedback, Message, ServiceRequest
from apps.tickets.storage import attachment_storage

HANDOFF_TEXTS = ("reason", "result", "closing_reason")


def anonymise_requests(
    request_ids: list[int], *, record: PrivacyRecord, author: User | None = None
) -> Counter[str]:
    """Anonymise the requests `request_ids` and, when `author` is given (an erasure), whatever
    that user wrote or sent elsewhere too. Runs in the caller's transaction; the attachment
    files are deleted after it commits. What changed, counted by kind."""
    counts: Counter[str] = Counter()
    requests = ServiceRequest.objects.filter(pk__in=request_ids)
    # The version moves on: an agent's form or a client's If-Match from before is refused
    # rather than writing the old subject back.
    counts["requests"] = requests.update(
        subject=ERASED, description="", declared_attachments=[], version=F("version") + 1
    )
    mine = Q(request_id__in=request_ids) | Q(merged_from_id__in=request_ids)
    messages = Message.objects.filter(_or_by(mine, author=author))
    message_ids = list(messages.values_list("pk", flat=True))
    counts["messages"] = messages.exclude(body=ERASED).update(body=ERASED)
    files = Attachment.objects.filter(
        _or_by(mine | Q(message_id__in=message_ids), uploaded_by=author)
    )
    counts["attachments"] = _delete_files(files)
    counts["feedback"] = (
        Feedback.objects.filter(request_id__in=request_ids).exclude(comment="").update(comment="")
    )
    counts["handoffs"] = _anonymise_handoffs(request_ids)
    events = Event.objects.filter(_or_by(Q(request_id__in=request_ids), actor=author))
    events = events.only("pk", "payload")
    counts["events"] = redact_event_payloads(events.iterator())
    counts["notifications"] = (
        Notification.objects.filter(request_id__in=request_ids)
        .exclude(title=ERASED)
        .update(title=ERASED, body="")
    )
    counts["webhook_deliveries"] = _scrub_deliveries(request_ids)
    counts["inbound_mails"] = anonymise_mails(
        InboundMail.objects.filter(
            Q(request_id__in=request_ids) | Q(posted_message_id__in=message_ids)
        )
    )
    counts["admin_log"] = anonymise_admin_log(ServiceRequest, request_ids, format_reference)
    AnonymisedRequest.objects.bulk_create(
        [AnonymisedRequest(request_id=pk, record=record) for pk in request_ids],
        ignore_conflicts=True,
    )
    return counts


def _or_by(condition: Q, **by_author: User | None) -> Q:
    """`condition`, or also the rows of the author named by the one keyword (when given)."""
    extra = {field: user for field, user in by_author.items() if user is not None}
    return condition | Q(**extra) if extra else condition


def anonymise_mails(mails) -> int:
    """Drop the raw mail and the sender's address, subject and file names of these inbound
    mails; the Message-ID stays (it keeps the same mail from being taken in twice)."""
    changed = 0
    for mail in mails.exclude(from_address="", subject="", raw=None, reason=""):
        mail.from_address, mail.subject, mail.reason, mail.raw = "", "", "", None
        mail.attachments = scrub(mail.attachments)
        mail.save(update_fields=["from_address", "subject", "reason", "raw", "attachments"])
        changed += 1
    return changed


def _delete_files(files) -> int:
    """Delete the attachment rows now and their stored files once the transaction commits
    (no storage I/O inside it; a file left behind by a crash is an orphan that
    `sweep_attachment_files` removes)."""
    names = list(files.values_list("stored_name", flat=True))
    if not names:
        return 0
    files.delete()

    def remove() -> None:
        storage = attachment_storage()
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)
    return len(names)


def _anonymise_handoffs(request_ids: list[int]) -> int:
    handoffs = Handoff.objects.filter(request_id__in=request_ids)
    changed = 0
    for field in HANDOFF_TEXTS:
        changed += (
            handoffs.exclude(**{field: ""}).exclude(**{field: ERASED}).update(**{field: ERASED})
        )
    return changed


def _scrub_deliveries(request_ids: list[int]) -> int:
    """Webhook deliveries about the requests: lifecycle ones point at the event, the others
    (handoffs, SLA, breach risk) name the request by reference or id in their payload."""
    references = [format_reference(pk) for pk in request_ids]
    deliveries = WebhookDelivery.objects.filter(
        Q(event__request_id__in=request_ids)
        | Q(payload__reference__in=references)
        | Q(payload__request__in=[*references, *request_ids])
    ).only("pk", "payload")
    changed = 0
    for delivery in deliveries.iterator():
        cleaned = scrub(delivery.payload)
        if cleaned != delivery.payload:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(payload=cleaned)
            changed += 1
    return changed


def anonymise_admin_log(model, ids: Iterable[int], label) -> int:
    """The admin's history names objects by their `str` (a request's subject, a customer's
    name): each entry about these objects keeps only `label(id)`."""
    content_type = ContentType.objects.get_for_model(model)
    entries = LogEntry.objects.filter(
        content_type=content_type, object_id__in=[str(pk) for pk in ids]
    ).values_list("pk", "object_id")
    changed = 0
    for pk, object_id in entries.iterator():
        LogEntry.objects.filter(pk=pk).update(
            object_repr=label(int(object_id or 0)), change_message=""
        )
        changed += 1
    return changed
