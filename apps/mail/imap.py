"""Polling IMAP mailboxes (imap-tools): each unseen mail is taken in in its own transaction
and flagged \\Seen only after that commit, so a crash at any point loses nothing and the
Message-ID keeps a mail read again from being taken in twice."""

import logging
import re
import ssl
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from billiard.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection
from django.utils import timezone
from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.consts import MailMessageFlags

from apps.mail.intake import keep_aside, take_in
from apps.mail.models import Mailbox, Security

logger = logging.getLogger(__name__)
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_UID = re.compile(rb"UID (\d+)")
# Database errors the next poll may not meet again: the mail stays unseen for it. An
# integrity error is one too: two pollers making the same new customer at once.
TRANSIENT = (OperationalError, InterfaceError, IntegrityError)
# A poll takes no new mails after this many seconds (the task's soft limit is 300).
POLL_BUDGET_SECONDS = 240
# Mails fetched in one command, and flagged seen in one after their commits.
CHUNK = 25
# What leaves a mail unseen for the next poll: a transient error, or the mail is gone.
LEFT_UNSEEN = frozenset({"retry", "gone"})
# The first key of the advisory locks that keep two pollers off one mailbox ("MAIL").
LOCK_NAMESPACE = 0x4D41494C


def connect(mailbox: Mailbox) -> BaseMailBox:
    """A logged-in connection to the mailbox's folder."""
    timeout = settings.SERVICEDESK_MAIL_IMAP_TIMEOUT
    if mailbox.security == Security.SSL:
        client: BaseMailBox = MailBox(
            mailbox.host, mailbox.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    elif mailbox.security == Security.STARTTLS:
        client = MailBoxStartTls(
            mailbox.host, mailbox.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    else:
        client = MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=timeout)
    return client.login(mailbox.username, mailbox.password, initial_folder=mailbox.folder)


def poll_mailbox(mailbox: Mailbox, *, limit: int | None = None) -> Counter:
    """Take in up to `limit` (`SERVICEDESK_MAIL_BATCH`) unseen mails of the mailbox and
    return the outcomes counted. Never raises for a mail or the server: a mail the intake
    fails on is kept aside as malformed, a transient database error leaves the mail unseen
    for the next poll, and a connection error ends this poll; both are recorded in
    `last_error`. Another poll of the same mailbox under way: returns at once (empty)."""
    with _held(mailbox) as held:
        if not held:
            return Counter()
        outcomes, error = _poll(mailbox, limit or settings.SERVICEDESK_MAIL_BATCH)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_error=error[:2000]
    )
    return outcomes


def _poll(mailbox: Mailbox, limit: int) -> tuple[Counter, str]:
    outcomes: Counter = Counter()
    error = ""
    try:
        with connect(mailbox) as client:
            uids = client.uids(AND(seen=False))[:limit]
            sizes = _sizes(client, uids)
            stop_at = time.monotonic() + POLL_BUDGET_SECONDS
            for start in range(0, len(uids), CHUNK):
                if time.monotonic() > stop_at:
                    break  # the rest waits for the next poll
                error = (
                    _take_chunk(client, mailbox, uids[start : start + CHUNK], sizes, outcomes)
                    or error
                )
    except Exception as exc:
        logger.warning("mailbox %s: %s", mailbox.name, exc)
        error = f"{type(exc).__name__}: {exc}"
    return outcomes, error


def _take_chunk(
    client: BaseMailBox, mailbox: Mailbox, uids: list[str], sizes: dict[str, int], outcomes: Counter
) -> str:
    """Fetch a few mails in one command, take each in (its own transaction), then flag the
    committed ones seen in one command; the last problem met, or ""."""
    raws = _fetch_many(client, uids, sizes)
    committed: list[str] = []
    problem = ""
    try:
        for uid in uids:
            outcome, trouble = _take_one(mailbox, uid, raws.get(uid), sizes.get(uid, 0))
            outcomes[outcome] += 1
            problem = trouble or problem
            if outcome not in LEFT_UNSEEN:
                committed.append(uid)
    finally:
        # Only after the commits; a poller killed before this line leaves them unseen, and
        # the next poll finds them taken in (`repeated`).
        if committed:
            client.flag(committed, MailMessageFlags.SEEN, True)
    return problem


def poll_all(*, limit: int | None = None) -> dict[str, dict[str, int]]:
    """Poll every active mailbox, one after another; what each one's mails became."""
    return {
        mailbox.name: dict(poll_mailbox(mailbox, limit=limit))
        for mailbox in Mailbox.objects.filter(active=True)
    }


def _take_one(mailbox: Mailbox, uid: str, raw: bytes | None, size: int) -> tuple[str, str]:
    """Take one fetched mail in: what became of it, and a problem to record."""
    if raw is None:  # expunged meanwhile by another client
        return "gone", ""
    try:
        inbound = take_in(raw, mailbox=mailbox, size=size)
    except SoftTimeLimitExceeded:
        raise  # the task's time is up: not the mail's fault; it stays unseen
    except TRANSIENT as exc:
        logger.warning("mailbox %s, uid %s: left for the next poll: %s", mailbox.name, uid, exc)
        return "retry", f"uid {uid}: {exc}"
    except Exception as exc:
        logger.exception("mailbox %s, uid %s could not be taken in", mailbox.name, uid)
        keep_aside(raw, mailbox=mailbox, source="imap", reason=f"intake failed: {exc!r}")
        return "malformed", f"uid {uid}: {type(exc).__name__}: {exc}"
    return ("repeated" if inbound.repeated else inbound.outcome), ""


@contextmanager
def _held(mailbox: Mailbox) -> Iterator[bool]:
    """Hold the mailbox for one poll, so two workers do not read it at once: a PostgreSQL
    session advisory lock, which the server releases when a killed poller's connection
    drops. Elsewhere (SQLite, one writer at a time) always held; the Message-ID keeps a
    mail read twice from being taken in twice either way."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, mailbox.pk])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, mailbox.pk])


def _sizes(client: BaseMailBox, uids: list[str]) -> dict[str, int]:
    """The size the server gives for each mail, in one command."""
    if not uids:
        return {}
    _status, data = client.client.uid("FETCH", ",".join(uids), "(RFC822.SIZE)")
    sizes = {}
    for line in data:
        text = line[0] if isinstance(line, tuple) else line
        uid, size = _UID.search(text or b""), _SIZE.search(text or b"")
        if uid and size:
            sizes[uid.group(1).decode()] = int(size.group(1))
    return sizes


def _fetch_many(client: BaseMailBox, uids: list[str], sizes: dict[str, int]) -> dict[str, bytes]:
    """The mails' bytes exactly as stored, without setting \\Seen: whole, or only the
    headers of those over the size limit (they are not downloaded)."""
    limit = settings.SERVICEDESK_MAIL_MAX_BYTES
    large = [uid for uid in uids if sizes.get(uid, 0) > limit]
    whole = [uid for uid in uids if uid not in large]
    fetched: dict[str, bytes] = {}
    for part, chosen in (("BODY.PEEK[]", whole), ("BODY.PEEK[HEADER]", large)):
        if not chosen:
            continue
        _status, data = client.client.uid("FETCH", ",".join(chosen), f"(UID {part})")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                uid = _UID.search(item[0])
                if uid:
                    fetched[uid.group(1).decode()] = item[1]
    return fetched
