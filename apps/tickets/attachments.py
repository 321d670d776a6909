"""Attachments: files checked on their content, written to the `attachments` storage, recorded
with their request (and message), and read back only by people who reach the request.

What other parts call: `do_attach_files` (the mail intake, with the files of a mail;
`split_acceptable` first to attach what can be and name the rest),
`do_submit_request_with_files` and `do_post_message_with_files` (the API and the admin: a
request or a message and its files, all or nothing), `open_attachment_for` (every download).
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.actors import Actor, Role
from apps.core.errors import Forbidden, InvalidData, NotAllowed
from apps.core.prefetch import set_prefetched
from apps.lifecycle.states import TERMINAL
from apps.tickets import selectors, services
from apps.tickets.attachment_checks import CheckedFile, Content, Refused, check_file, clean_name
from apps.tickets.models import Attachment, Message, ServiceRequest, Visibility
from apps.tickets.rules import can_reach
from apps.tickets.storage import attachment_storage, new_stored_name


@dataclass(frozen=True)
class IncomingFile:
    """A file offered for attachment: an upload of the API or the admin, or a mail's part.

    `content` is the bytes, or a readable, seekable binary file object (an `UploadedFile`);
    `content_type` is what the sender declared: kept for messages only, never trusted (the
    type is recognised from the content)."""

    name: str
    content: Content
    content_type: str = ""

    @classmethod
    def from_upload(cls, upload: File) -> "IncomingFile":
        """An uploaded file (Django's `UploadedFile`) as an incoming one."""
        return cls(
            name=upload.name or "",
            content=upload,
            content_type=getattr(upload, "content_type", "") or "",
        )


def check_files(files: Sequence[IncomingFile]) -> list[CheckedFile]:
    """Every file checked (count, size, type on the content, name against type).

    Raises: InvalidData when any file is refused, naming each with its reason (`fields` ->
    `files`: "name: reason" lines; `refused`: [{"name", "reason"}]), so nothing is attached."""
    limit = settings.SERVICEDESK_ATTACHMENT_MAX_COUNT
    if len(files) > limit:
        message = ngettext(
            "At most %(limit)d file may be attached at once; %(count)d were sent.",
            "At most %(limit)d files may be attached at once; %(count)d were sent.",
            limit,
        ) % {"limit": limit, "count": len(files)}
        raise InvalidData(message, fields={"files": [message]}, refused=[])
    checked: list[CheckedFile] = []
    refused: list[dict[str, str]] = []
    for incoming in files:
        try:
            checked.append(check_file(incoming.name, incoming.content))
        except Refused as exc:
            refused.append({"name": clean_name(incoming.name), "reason": str(exc)})
    if refused:
        lines = [f"{r['name']}: {r['reason']}" for r in refused]
        message = ngettext(
            "%(count)d file was refused, so nothing was attached: %(files)s.",
            "%(count)d files were refused, so nothing was attached: %(files)s.",
            len(refused),
        ) % {"count": len(refused), "files": "; ".join(lines)}
        raise InvalidData(message, fields={"files": lines}, refused=refused)
    return checked


def split_acceptable(
    files: Sequence[IncomingFile],
) -> tuple[list[IncomingFile], list[dict[str, str]]]:
    """The files that pass every check of one file, and the others as {"name", "reason"}: for
    a caller that attaches what it can (a mail whose signature is an unaccepted type) and says
    what it left out. The count limit is not applied here; `do_attach_files` applies it."""
    accepted: list[IncomingFile] = []
    refused: list[dict[str, str]] = []
    for incoming in files:
        try:
            check_file(incoming.name, incoming.content)
        except Refused as exc:
            refused.append({"name": clean_name(incoming.name), "reason": str(exc)})
        else:
            accepted.append(incoming)
    return accepted, refused


def do_attach_files(
    service_request: ServiceRequest,
    *,
    actor: Actor,
    files: Sequence[IncomingFile],
    message: Message | None = None,
) -> list[Attachment]:
    """Attach `files` to the request (with `message`: as visible as it; without: public, part
    of the request as submitted), all or nothing.

    Writes: each file to the `attachments` storage (before the transaction: no storage I/O
    under a lock), then one `Attachment` row each; if anything fails the files written are
    deleted again. Enqueues nothing. Raises: InvalidData naming every refused file (see
    `check_files`) or a message of another request; Forbidden if the actor cannot reach the
    request, is the bot, or is a customer attaching to an internal note; NotAllowed on a
    closed or cancelled request.
    """
    _check_may_attach(service_request, actor, message)
    if not files:
        return []
    checked = check_files(files)
    with stored(checked) as written, transaction.atomic():
        return _record(service_request, actor, written, message)


def do_submit_request_with_files(
    *, actor: Actor, files: Sequence[IncomingFile], **fields: Any
) -> ServiceRequest:
    """`services.do_submit_request(actor=actor, **fields)` and the files attached at
    submission, in one transaction: a refused file submits nothing, a refused submit leaves no
    file. Writes, enqueues and raises what both do."""
    if not files:
        created = services.do_submit_request(actor=actor, **fields)
        set_prefetched(created, "attachments", [])
        return created
    checked = check_files(files)
    with stored(checked) as written, transaction.atomic():
        created = services.do_submit_request(actor=actor, **fields)
        rows = _record(created, actor, written, None)
    set_prefetched(created, "attachments", rows)
    return created


def do_post_message_with_files(
    service_request: ServiceRequest,
    *,
    actor: Actor,
    body: str,
    internal: bool = False,
    files: Sequence[IncomingFile] = (),
) -> Message:
    """`services.do_post_message` and the message's files, in one transaction: a refused file
    posts nothing, a refused message leaves no file. Writes, enqueues and raises what both do."""
    if not files:
        message = services.do_post_message(
            service_request, actor=actor, body=body, internal=internal
        )
        set_prefetched(message, "attachments", [])
        return message
    checked = check_files(files)
    with stored(checked) as written, transaction.atomic():
        message = services.do_post_message(
            service_request, actor=actor, body=body, internal=internal
        )
        rows = _record(message.request, actor, written, message)
    set_prefetched(message, "attachments", rows)
    return message


def open_attachment_for(
    actor: Actor, attachment_id: int, *, service_request: ServiceRequest | None = None
) -> tuple[Attachment, File] | None:
    """The attachment and its open file if the actor may read it (`selectors.
    get_attachment_for`: they reach its request; customers never an internal note's file),
    else None, as if it did not exist. The caller closes the file (a streaming response does)."""
    attachment = selectors.get_attachment_for(actor, attachment_id, request=service_request)
    if attachment is None:
        return None
    return attachment, attachment_storage().open(attachment.stored_name, "rb")


def served_content_type(attachment: Attachment) -> str:
    """The Content-Type a download carries: the recognised type; text in UTF-8."""
    if attachment.content_type.startswith("text/"):
        return f"{attachment.content_type}; charset=utf-8"
    return attachment.content_type


def served_types() -> list[str]:
    """Every type a download may carry (the accepted ones), for the API schema."""
    return list(settings.SERVICEDESK_ATTACHMENT_TYPES)


def download_response(attachment: Attachment, file: File) -> FileResponse:
    """The file streamed as a download, with headers that keep browsers from rendering it
    (attachment, nosniff, a sandbox) and caches from keeping it: the API's and the admin's
    downloads alike."""
    response = FileResponse(
        file,
        as_attachment=True,
        filename=attachment.name,
        content_type=served_content_type(attachment),
    )
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@contextmanager
def stored(checked: Sequence[CheckedFile]) -> Iterator[list[tuple[CheckedFile, str]]]:
    """Write the files to the storage under new unguessable names; if the block raises (a
    refusal, a rollback), delete them again, so no file outlives a failed attach."""
    storage = attachment_storage()
    names: list[str] = []
    try:
        for file in checked:
            names.append(storage.save(new_stored_name(), _as_file(file.content)))
        yield list(zip(checked, names, strict=True))
    except BaseException:
        for name in names:
            with suppress(OSError):
                storage.delete(name)
        raise


def sweep_attachment_files(*, older_than_hours: float | None = None) -> list[str]:
    """Delete stored files that no attachment row names and that are older than
    `older_than_hours` (default SERVICEDESK_ATTACHMENT_ORPHAN_HOURS): what a process killed
    between writing a file and committing its row, or a caller's transaction rolled back
    around `do_attach_files`, left behind. Returns the names deleted. Safe to run anywhere,
    any time: a file younger than the limit may still be on its way to being recorded."""
    hours = (
        settings.SERVICEDESK_ATTACHMENT_ORPHAN_HOURS
        if older_than_hours is None
        else (older_than_hours)
    )
    storage = attachment_storage()
    cutoff = timezone.now() - timedelta(hours=hours)
    deleted: list[str] = []
    for batch in _stored_names(storage):
        known = set(
            Attachment.objects.filter(stored_name__in=batch).values_list("stored_name", flat=True)
        )
        for name in batch:
            if name not in known and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                deleted.append(name)
    return deleted


def _stored_names(storage, folder: str = "", batch: int = 500) -> Iterator[list[str]]:
    """Every file name in the storage, in lists of at most `batch`."""
    folders, files = storage.listdir(folder)
    names = [f"{folder}/{name}" if folder else name for name in files]
    for start in range(0, len(names), batch):
        yield names[start : start + batch]
    for sub in folders:
        yield from _stored_names(storage, f"{folder}/{sub}" if folder else sub, batch)


def _check_may_attach(
    service_request: ServiceRequest, actor: Actor, message: Message | None
) -> None:
    if actor.role == Role.BOT or not can_reach(service_request, actor):
        raise Forbidden(_("You cannot attach files to this request."))
    if message is not None:
        if message.request_id != service_request.pk:
            raise InvalidData(
                _("That message belongs to another request."),
                fields={
                    "message": _("Not a message of %(reference)s.")
                    % {"reference": service_request.reference}
                },
            )
        if message.visibility == Visibility.INTERNAL and actor.role == Role.CUSTOMER:
            raise Forbidden(_("Customers cannot attach files to internal notes."))
    if service_request.state in TERMINAL:
        raise NotAllowed(
            _("%(reference)s is %(state)s: start a new request.")
            % {"reference": service_request.reference, "state": service_request.state},
            state=service_request.state,
            allowed=[],
        )


def _record(
    service_request: ServiceRequest,
    actor: Actor,
    written: list[tuple[CheckedFile, str]],
    message: Message | None,
) -> list[Attachment]:
    at = timezone.now()
    rows = [
        Attachment(
            request=service_request,
            message=message,
            stored_name=stored_name,
            name=file.name,
            content_type=file.content_type,
            size=file.size,
            sha256=file.sha256,
            uploaded_by=actor.user,
            uploader_role=actor.role,
            created_at=at,
        )
        for file, stored_name in written
    ]
    return Attachment.objects.bulk_create(rows)


def _as_file(content: Content) -> File:
    if isinstance(content, File):
        return content
    if isinstance(content, bytes | bytearray | memoryview):
        return ContentFile(bytes(content))
    return File(content)
