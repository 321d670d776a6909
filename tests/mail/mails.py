"""Mails as customers' programs and mail servers write them, for the mail tests."""

import itertools
from email.message import EmailMessage
from email.utils import format_datetime

from django.utils import timezone

_ids = itertools.count(1)


def mail(
    *,
    sender: str = "carol@example.com",
    to: str = "desk@example.com",
    subject: str = "Printer on floor 2 is jammed",
    text: str | None = "The printer jams on every page.",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> bytes:
    """A mail's bytes; a fresh Message-ID unless one is given ("" for none)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    if message_id is None:
        message_id = f"test-{next(_ids)}-{timezone.now().timestamp()}@customer.example"
    if message_id:
        message["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for name, content, declared in attachments:
        maintype, subtype = declared.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def bounce(*, to: str = "desk@example.com") -> bytes:
    """A delivery status notification from a mailer-daemon (multipart/report, RFC 3464)."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <bounce-{next(_ids)}@mx.example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n--b1\r\nContent-Type: text/plain\r\n\r\n"
        "This is the mail system. Your message could not be delivered.\r\n"
        "\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "\r\n--b1--\r\n"
    ).encode()


# No header at all, so no sender: nothing the desk can answer or thread.
MALFORMED = b"This is not a mail at all\r\n(no headers, no sender, no body separator)\r\n"


def mailbox_for(account, **fields):
    """A mailbox of the desk reading the test dovecot's `account` (tests/support/dovecot.py)."""
    from apps.mail.models import Mailbox, Security

    return Mailbox.objects.create(
        **{
            "name": account.username,
            "address": "desk@example.com",
            "host": account.host,
            "port": account.port,
            "security": Security.NONE,
            "username": account.username,
            "password": account.password,
            **fields,
        }
    )
