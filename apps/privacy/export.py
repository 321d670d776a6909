"""A customer's personal data as one JSON document, and as a zip with their files beside it.

What the customer may see of their requests, as the API shows it: requests, public messages,
files that are not on internal notes, feedback, the steps their requests went through,
notifications sent to them, their preferences and the mails they sent. Internal notes and
agents' identities are the desk's records, not the customer's data (docs/privacy.md)."""

import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q
from django.utils import timezone

from apps.accounts.models import Customer
from apps.eventlog.models import Event
from apps.lifecycle.reference import format_reference
from apps.mail.models import InboundMail
from apps.notifications.models import Notification, NotificationPreference
from apps.privacy.models import Action, PrivacyRecord
from apps.tickets.models import Attachment, Message, ServiceRequest, Visibility
from apps.tickets.storage import attachment_storage

FORMAT = "servicedesk.customer-export/1"


def customer_export(customer: Customer) -> dict[str, Any]:
    """Everything the desk holds about the customer that is theirs, as plain JSON values."""
    user = customer.user
    public = Message.objects.filter(visibility=Visibility.PUBLIC).order_by("created_at", "pk")
    requests = (
        ServiceRequest.objects.filter(customer=customer)
        .select_related("category", "feedback", "merged_into")
        .prefetch_related(
            # The related sets read below hold only these rows.
            Prefetch("messages", queryset=public),
            Prefetch("attachments", queryset=_visible_files()),
            Prefetch("events", queryset=Event.objects.order_by("seq")),
        )
        .order_by("created_at", "pk")
    )
    return {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "profile": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "organisation": customer.organisation,
            "tier": customer.tier,
            "language": customer.language,
        },
        "notification_preferences": list(
            NotificationPreference.objects.filter(user=user).values("kind", "email")
        ),
        "requests": [_request(r, user.pk) for r in requests],
        "messages_on_other_requests": [
            _message(m, user.pk)
            for m in public.filter(author=user).exclude(request__customer=customer)
        ],
        "notifications": list(
            Notification.objects.filter(recipient=user)
            .order_by("created_at", "pk")
            .values("kind", "title", "body", "created_at", "read_at", "emailed_at")
        ),
        "inbound_mails": list(
            InboundMail.objects.filter(
                Q(request__customer=customer)
                | (Q(from_address__icontains=user.email) if user.email else Q(pk__in=[]))
            )
            .order_by("received_at", "pk")
            .values("message_id", "from_address", "subject", "received_at", "outcome", "size")
        ),
    }


def export_archive(customer: Customer) -> bytes:
    """A zip of `export.json` (customer_export) and `attachments/<id>-<name>` for each file it
    lists (a file lost from the storage is named in `missing_files` instead)."""
    data = customer_export(customer)
    files = [file for request in data["requests"] for file in request["attachments"]]
    stored = dict(
        Attachment.objects.filter(pk__in=[f["id"] for f in files]).values_list("pk", "stored_name")
    )
    buffer = io.BytesIO()
    storage = attachment_storage()
    missing = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            try:
                with storage.open(stored[file["id"]], "rb") as content:
                    archive.writestr(file["path"], content.read())
            except FileNotFoundError:
                missing.append(file["path"])
        data["missing_files"] = missing
        archive.writestr("export.json", export_json(data))
    return buffer.getvalue()


def export_json(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _visible_files():
    return Attachment.objects.filter(
        Q(message__isnull=True) | Q(message__visibility=Visibility.PUBLIC)
    ).order_by("created_at", "pk")


def _request(request: ServiceRequest, user_id: int) -> dict[str, Any]:
    feedback = getattr(request, "feedback", None)
    return {
        "reference": request.reference,
        "subject": request.subject,
        "description": request.description,
        "channel": request.channel,
        "category": request.category.name if request.category else None,
        "state": request.state,
        "priority": request.priority,
        "created_at": request.created_at,
        "resolved_at": request.resolved_at,
        "closed_at": request.closed_at,
        "merged_into": request.merged_into.reference if request.merged_into else None,
        "messages": [_message(m, user_id) for m in request.messages.all()],
        "attachments": [_file(f) for f in request.attachments.all()],
        "feedback": (
            {"rating": feedback.rating, "comment": feedback.comment, "at": feedback.created_at}
            if feedback
            else None
        ),
        "history": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "transition": e.transition,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "by": e.actor_role,
                "at": e.at,
            }
            for e in request.events.all()
        ],
    }


def _message(message: Message, user_id: int) -> dict[str, Any]:
    return {
        "id": message.pk,
        "request": format_reference(message.request_id),
        "from": "you" if message.author_id == user_id else message.author_role,
        "body": message.body,
        "at": message.created_at,
    }


def _file(file: Attachment) -> dict[str, Any]:
    return {
        "id": file.pk,
        "name": file.name,
        "content_type": file.content_type,
        "size": file.size,
        "sha256": file.sha256,
        "message": file.message_id,
        "at": file.created_at,
        "path": f"attachments/{file.pk}-{_safe(file.name)}",
    }


def _safe(name: str) -> str:
    """A file name that stays inside its folder of the zip."""
    kept = "".join(c if c.isalnum() or c in "._- " else "_" for c in name).strip(" .")
    return kept[:100] or "file"


def do_export_customer(customer: Customer, *, done_by: Any = None, channel: str) -> bytes:
    """The customer's archive (export_archive); logs a `PrivacyRecord` (action export) with
    the number of requests in it."""
    archive = export_archive(customer)
    PrivacyRecord.objects.create(
        action=Action.EXPORT,
        customer_id=customer.pk,
        requests=ServiceRequest.objects.filter(customer=customer).count(),
        done_by=done_by,
        channel=channel,
    )
    return archive


def archive_name(customer: Customer) -> str:
    return f"customer-{customer.pk}-export-{timezone.now():%Y%m%d}.zip"
