"""Polling a real IMAP server (dovecot, tests/support/dovecot.py): mails put in by IMAP APPEND
become requests, messages or records, are flagged seen once taken in, and never twice."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from apps.accounts.actors import SYSTEM
from apps.lifecycle.states import State
from apps.mail.imap import poll_all, poll_mailbox
from apps.mail.models import InboundMail, Outcome
from apps.notifications.models import Notification
from apps.tickets.models import ServiceRequest
from tests.mail.mails import MALFORMED, bounce, mail, mailbox_for

pytestmark = pytest.mark.django_db


QUOTED_REPLY = """Yes, it is the second tray.

Kind regards,
Carol

On Mon, 1 Dec 2025 at 10:00, Service Desk <desk@example.com> wrote:
> Which tray does it jam on?
>
> > The printer jams on every page.
"""


def test_every_kind_of_mail_from_the_mailbox(imap_account, customer, department):
    mailbox = mailbox_for(imap_account)
    imap_account.append(mail(message_id="new@customer.example"))
    imap_account.append(
        mail(text="Please look.", attachments=[("a.pdf", b"%PDF-1.4", "application/pdf")])
    )
    imap_account.append(mail(headers={"Auto-Submitted": "auto-replied"}, subject="Out of office"))
    imap_account.append(bounce())
    imap_account.append(MALFORMED)

    counts = poll_mailbox(mailbox)

    assert counts == {"created": 2, "ignored": 2, "malformed": 1}
    assert imap_account.unseen() == 0
    with_attachment = InboundMail.objects.get(attachments__0__name="a.pdf")
    assert [
        (a.name, a.content_type, a.size) for a in with_attachment.request.attachments.all()
    ] == [("a.pdf", "application/pdf", 8)]
    assert bytes(InboundMail.objects.get(outcome=Outcome.MALFORMED).raw) == MALFORMED
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None and mailbox.last_error == ""


def test_a_reply_with_quoted_history_is_threaded_without_the_history(imap_account, customer):
    mailbox = mailbox_for(imap_account)
    imap_account.append(mail(message_id="first@customer.example"))
    poll_mailbox(mailbox)
    request = ServiceRequest.objects.get()
    Notification.objects.create(
        recipient=customer.user,
        request=request,
        kind="message",
        title="Which tray?",
        message_id="reply-1@desk.example",
    )
    imap_account.append(
        mail(
            subject=f"Re: [{request.reference}] Printer",
            in_reply_to="reply-1@desk.example",
            text=QUOTED_REPLY,
        )
    )

    assert poll_mailbox(mailbox) == {"threaded": 1}
    assert list(request.messages.values_list("body", flat=True)) == ["Yes, it is the second tray."]


def test_the_same_mail_twice_in_the_mailbox_makes_one_request(imap_account, customer):
    mailbox = mailbox_for(imap_account)
    raw = mail(message_id="twice@customer.example")
    imap_account.append(raw)
    imap_account.append(raw)

    counts = poll_mailbox(mailbox)

    assert counts == {"created": 1, "repeated": 1}
    assert ServiceRequest.objects.count() == 1 and InboundMail.objects.count() == 1
    assert imap_account.unseen() == 0


def test_a_mail_polled_again_after_it_was_taken_in_creates_nothing(imap_account, customer):
    """A poller killed after the commit and before the \\Seen flag: the mail is read again."""
    mailbox = mailbox_for(imap_account)
    imap_account.append(mail())
    poll_mailbox(mailbox)
    imap_account.mark_all_unseen()

    assert poll_mailbox(mailbox) == {"repeated": 1}
    assert ServiceRequest.objects.count() == 1 and InboundMail.objects.count() == 1
    assert imap_account.unseen() == 0


@override_settings(SERVICEDESK_MAIL_MAX_BYTES=2000)
def test_a_mail_over_the_limit_is_not_downloaded(imap_account, customer):
    mailbox = mailbox_for(imap_account)
    raw = mail(attachments=[("big.bin", b"x" * 10000, "application/octet-stream")])
    imap_account.append(raw)

    assert poll_mailbox(mailbox) == {"too_large": 1}
    inbound = InboundMail.objects.get()
    assert inbound.size >= len(raw) - 100 and len(bytes(inbound.raw)) < 2000
    assert not ServiceRequest.objects.exists()


def test_a_broken_mailbox_does_not_stop_the_others(imap_account, dovecot_server, customer):
    broken = mailbox_for(imap_account, name="broken", password="wrong")
    other = dovecot_server.new_account()
    working = mailbox_for(other, name="working")
    other.append(mail())

    results = poll_all()

    assert results == {"broken": {}, "working": {"created": 1}}
    broken.refresh_from_db()
    assert "auth" in broken.last_error.lower() or "login" in broken.last_error.lower()
    assert working.mails.count() == 1


def test_the_mailbox_department_routes_new_requests(imap_account, customer, department):
    mailbox = mailbox_for(imap_account, department=department)
    imap_account.append(mail())

    poll_mailbox(mailbox)

    request = ServiceRequest.objects.get()
    assert (request.state, request.department) == (State.QUEUED, department)
    assert request.events.filter(transition="route", actor_role=SYSTEM.role).exists()


def test_the_command_polls_the_active_mailboxes(imap_account, customer, capsys):
    mailbox_for(imap_account)
    imap_account.append(mail())

    call_command("poll_mailboxes")

    assert f"{imap_account.username}: created 1" in capsys.readouterr().out


def test_a_mail_the_intake_fails_on_is_kept_aside_and_the_poll_goes_on(
    imap_account, customer, monkeypatch
):
    from apps.mail import imap

    real_take_in = imap.take_in

    def failing_on_one(raw, **kwargs):
        if b"Subject: Poison" in raw:
            raise ValueError("an unforeseen kind of mail")
        return real_take_in(raw, **kwargs)

    monkeypatch.setattr(imap, "take_in", failing_on_one)
    mailbox = mailbox_for(imap_account)
    imap_account.append_many([mail(subject="Poison"), mail(subject="Fine")])

    assert poll_mailbox(mailbox) == {"malformed": 1, "created": 1}
    kept = InboundMail.objects.get(outcome=Outcome.MALFORMED)
    assert "unforeseen" in kept.reason and b"Subject: Poison" in bytes(kept.raw)
    assert imap_account.unseen() == 0
    mailbox.refresh_from_db()
    assert "unforeseen" in mailbox.last_error
