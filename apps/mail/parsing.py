"""Reading a raw mail: its identity, sender, thread, text, attachments, and whether it is an
automatic mail (auto-reply, bounce, list) that the desk records and never answers."""

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses

from django.conf import settings
from inscriptis import get_text
from mailparser_reply import EmailReplyParser

# Subjects of replies and forwards, in the languages customers write ("Re:", "AW:", "回复:").
_REPLY_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|wg|sv|vs|tr|antw|rif|r|答复|回复|转发)\s*(\[\d+\])?\s*[:：]\s*)+",  # noqa: RUF001  the full-width colon of Chinese subjects is meant
    re.IGNORECASE,
)
_MESSAGE_IDS = re.compile(r"<([^<>\s]+)>")
_AUTOMATIC_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|bounces?)([+@-]|$)", re.I)
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})
MAX_SUBJECT = 200
MAX_TEXT = 20000


class MalformedMail(Exception):
    """A mail the desk cannot read; the message says why."""


@dataclass
class ParsedMail:
    """What the desk reads of a mail."""

    message_id: str
    from_address: str
    subject: str
    thread_ids: list[str]
    text: str
    reply_text: str
    attachments: list[dict] = field(default_factory=list)
    # Why the mail is automatic (an auto-reply, a bounce, a list), or "" for a person's mail.
    automatic: str = ""
    # The attachments' (name, content, declared type), for storing them with the request.
    files: list[tuple[str, bytes, str]] = field(default_factory=list)


def message_id_of(raw: bytes) -> str:
    """The mail's Message-ID without angle brackets, read leniently (a mail that is otherwise
    unreadable is still recorded once); a mail without one gets a stable id from its bytes."""
    try:
        headers = email.message_from_bytes(raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0])
        found = _MESSAGE_IDS.findall(str(headers.get("Message-ID", "")))
    except Exception:
        found = []
    if found:
        return found[0][:255]
    return f"sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id"


def header_summary(raw: bytes) -> tuple[str, str]:
    """From address and subject read leniently, for the record of a mail that is not read
    further (too large, malformed): never raises."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        return _from_address(message), str(message.get("Subject", ""))[:255]
    except Exception:
        return "", ""


def parse_mail(raw: bytes) -> ParsedMail:
    """Read a whole mail. Raises MalformedMail when the sender or the text cannot be read."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        sender = _from_address(message)
    except Exception as exc:
        raise MalformedMail(f"unreadable headers: {exc}") from exc
    if not sender:
        raise MalformedMail("no sender address (From) can be read")
    if not isinstance(message, EmailMessage):  # pragma: no cover - the default policy's class
        raise MalformedMail("not an e-mail message")
    try:
        text = _text_of(message)
        attachments, files = _attachments_of(message)
    except (LookupError, ValueError, AttributeError, TypeError) as exc:
        raise MalformedMail(f"unreadable body: {exc}") from exc
    return ParsedMail(
        message_id=message_id_of(raw),
        from_address=sender,
        subject=clean_subject(str(message.get("Subject", ""))),
        thread_ids=_thread_ids(message),
        text=text[:MAX_TEXT],
        reply_text=latest_reply(text)[:MAX_TEXT],
        attachments=attachments,
        files=files,
        automatic=automatic_reason(message, sender),
    )


def clean_subject(subject: str) -> str:
    """The subject without reply and forward prefixes, on one line."""
    subject = " ".join(subject.split())
    return _REPLY_PREFIX.sub("", subject).strip()[:MAX_SUBJECT]


def latest_reply(text: str) -> str:
    """The newest part of a reply: quoted history, reply headers and signature removed
    (mail-parser-reply, in the languages of `SERVICEDESK_MAIL_REPLY_LANGUAGES`). The whole
    text when nothing is left (a mail that is all quote)."""
    parser = EmailReplyParser(languages=list(settings.SERVICEDESK_MAIL_REPLY_LANGUAGES))
    replies = parser.read(text).replies
    newest = replies[0].body.strip() if replies else ""
    return newest or text.strip()


def automatic_reason(message: EmailMessage, sender: str) -> str:
    """Why a mail was sent by a machine (RFC 3834 Auto-Submitted, Precedence, the headers of
    Microsoft's and others' auto-replies, delivery reports and their senders), or ""."""
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if message.get(name) is not None:
            return f"{name}: {str(message.get(name)).strip()}"
    if message.get_content_type() == "multipart/report":
        return "delivery report (multipart/report)"
    if _AUTOMATIC_SENDERS.match(sender):
        return f"automatic sender {sender}"
    return ""


def _from_address(message) -> str:
    pairs = getaddresses([str(v) for v in message.get_all("From", [])])
    for _name, address in pairs:
        if "@" in address:
            return address.strip().lower()[:255]
    return ""


def _thread_ids(message) -> list[str]:
    """The Message-IDs a reply names (In-Reply-To first, then References newest first)."""
    in_reply_to = _MESSAGE_IDS.findall(str(message.get("In-Reply-To", "")))
    references = _MESSAGE_IDS.findall(str(message.get("References", "")))
    return list(dict.fromkeys([*in_reply_to, *reversed(references)]))


def _text_of(message: EmailMessage) -> str:
    """The plain text of the mail; HTML (when there is no plain text) through inscriptis."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if isinstance(content, bytes):  # pragma: no cover - text parts decode to str
        content = content.decode("utf-8", "replace")
    if part.get_content_type() == "text/html":
        return get_text(content).strip() if content.strip() else ""
    return content.replace("\r\n", "\n").strip()


def _attachments_of(message: EmailMessage) -> tuple[list[dict], list[tuple[str, bytes, str]]]:
    """The attachments' names, sizes and declared types, and their contents."""
    described: list[dict] = []
    files: list[tuple[str, bytes, str]] = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""
        name = part.get_filename() or "attachment"
        declared = part.get_content_type()
        described.append({"name": name[:255], "size": len(payload), "content_type": declared})
        files.append((name[:255], payload, declared))
    return described, files
