"""Taking in one mail (apps/mail/intake.py), without a mail server: what each kind of mail
becomes, threading, unknown senders, loops, limits, and idempotency by Message-ID."""

import pytest
from django.core import mail as outbox
from django.test import override_settings

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.accounts.models import Customer
from apps.lifecycle.states import State
from apps.mail.intake import take_in
from apps.mail.models import InboundMail, Mailbox, Outcome
from apps.notifications.models import Notification
from apps.sla.models import ClockState
from apps.tickets import notices
from apps.tickets.models import Message, ServiceRequest
from apps.tickets.services import do_post_message
from apps.tickets.storage import attachment_storage
from tests.factories import AgentFactory, CustomerFactory, drive, submit
from tests.mail.mails import MALFORMED, bounce, mail
from workflows.mail import send_auto_reply
from workflows.notifications import send_notification_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(customer):
    assert customer.user.email == "carol@example.com"
    return customer


def worked_on(customer, department, last: str):
    """A request of the customer that an agent of the department started, then ran `last` on."""
    agent = AgentFactory(departments=[department])
    agent_actor = actor_for_user(agent.user)
    return drive(
        submit(customer),
        ("route", {"department": department}, SYSTEM),
        ("assign", {"assignee": agent}, SYSTEM),
        ("start", {}, agent_actor),
        (last, {}, agent_actor),
    )


def test_a_new_mail_opens_a_request_for_the_customer_by_address(carol):
    inbound = take_in(mail(sender="Carol <CAROL@Example.com>"))

    request = inbound.request
    assert inbound.outcome == Outcome.CREATED
    assert (request.customer, request.channel, request.state) == (carol, "email", State.NEW)
    assert request.subject == "Printer on floor 2 is jammed"
    assert request.description == "The printer jams on every page."
    assert request.events.get(seq=1).actor_role == "customer"


def test_the_same_mail_twice_makes_one_request(carol):
    raw = mail()

    first, second = take_in(raw), take_in(raw)

    assert first.pk == second.pk
    assert (first.repeated, second.repeated) == (False, True)
    assert ServiceRequest.objects.count() == 1
    assert InboundMail.objects.count() == 1


def test_a_mail_without_message_id_is_known_by_its_bytes(carol):
    raw = mail(message_id="")

    first, second = take_in(raw), take_in(raw)

    assert first.pk == second.pk and first.message_id.startswith("sha256-")
    assert ServiceRequest.objects.count() == 1


def test_a_reply_to_our_notification_is_threaded_and_resumes_the_paused_clock(
    carol, department, standard_policy
):
    request = worked_on(carol, department, "request_info")
    assert request.sla_clocks.filter(state=ClockState.PAUSED).exists()
    Notification.objects.create(
        recipient=carol.user, request=request, kind="message", title="x", message_id="n1@desk"
    )

    inbound = take_in(
        mail(
            subject="Re: Cannot print",
            in_reply_to="n1@desk",
            text="It is the second tray.\n\nOn Mon, 1 Dec 2025 at 10:00, Desk "
            "<desk@example.com> wrote:\n> Which tray?\n> Desk\n",
        )
    )

    request.refresh_from_db()
    assert (inbound.outcome, inbound.request) == (Outcome.THREADED, request)
    assert inbound.posted_message.body == "It is the second tray."
    assert inbound.posted_message.author == carol.user
    assert request.state == State.IN_PROGRESS
    assert not request.sla_clocks.filter(state=ClockState.PAUSED).exists()
    assert request.events.filter(transition="customer_reply").count() == 1


def test_the_reference_in_the_subject_threads_a_reply(carol):
    request = submit(carol)

    inbound = take_in(mail(subject=f"Re: [{request.reference}] Cannot print", text="More."))

    assert (inbound.outcome, inbound.request) == (Outcome.THREADED, request)
    assert list(request.messages.values_list("body", flat=True)) == ["More."]


def test_a_reply_naming_another_customers_request_opens_a_new_one(carol):
    theirs = submit(CustomerFactory())

    inbound = take_in(mail(subject=f"Re: [{theirs.reference}] Cannot print"))

    assert inbound.outcome == Outcome.CREATED
    assert inbound.request != theirs and inbound.request.customer == carol
    assert not theirs.messages.exists()


def test_a_reply_to_a_closed_request_opens_a_new_one_that_refers_to_it(carol):
    closed = drive(submit(carol), ("cancel", {}, actor_for_user(carol.user)))

    inbound = take_in(mail(subject=f"Re: [{closed.reference}] Cannot print", text="Again!"))

    assert inbound.outcome == Outcome.CREATED
    assert inbound.request.description.startswith(f"Follow-up to {closed.reference}")
    assert inbound.request.description.endswith("Again!")


def test_a_reply_to_a_resolved_request_reopens_it(carol, department):
    request = worked_on(carol, department, "resolve")

    take_in(mail(subject=f"Re: [{request.reference}] Cannot print", text="Still broken."))

    request.refresh_from_db()
    assert request.state == State.IN_PROGRESS
    assert request.events.filter(transition="reopen", actor_role="customer").exists()


def test_a_reply_by_the_customer_to_their_own_mail_is_threaded(carol):
    first = take_in(mail(message_id="first@customer.example"))

    second = take_in(mail(subject="Re: Printer", in_reply_to="first@customer.example", text="+1"))

    assert (second.outcome, second.request) == (Outcome.THREADED, first.request)


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"X-Auto-Response-Suppress": "All"},
    ],
)
def test_auto_replies_are_recorded_and_not_answered(carol, headers):
    inbound = take_in(mail(subject="Out of office", headers=headers))

    assert inbound.outcome == Outcome.IGNORED and inbound.reason
    assert inbound.request is None and not ServiceRequest.objects.exists()
    assert outbox.outbox == []


def test_a_bounce_is_recorded_and_not_answered(carol):
    inbound = take_in(bounce())

    assert inbound.outcome == Outcome.IGNORED
    assert "multipart/report" in inbound.reason
    assert not ServiceRequest.objects.exists()


def test_auto_submitted_no_is_a_person(carol):
    assert take_in(mail(headers={"Auto-Submitted": "no"})).outcome == Outcome.CREATED


def test_an_unknown_sender_becomes_a_customer_by_default():
    inbound = take_in(mail(sender="New Person <new.person@example.org>"))

    assert inbound.outcome == Outcome.CREATED
    customer = Customer.objects.get(user__email="new.person@example.org")
    assert inbound.request.customer == customer
    assert not customer.user.has_usable_password()


@override_settings(SERVICEDESK_MAIL_UNKNOWN_SENDERS="reject")
def test_an_unknown_sender_is_rejected_and_answered_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = take_in(mail(sender="stranger@example.org"))
        second = take_in(mail(sender="stranger@example.org", subject="Again"))

    assert first.outcome == second.outcome == Outcome.REJECTED
    assert bytes(first.raw).startswith(b"From: stranger@example.org")
    assert not Customer.objects.exists() and not ServiceRequest.objects.exists()
    assert [send_auto_reply(first.pk), send_auto_reply(second.pk)] == [
        "sent",
        "answered recently",
    ]
    assert send_auto_reply(first.pk) == "nothing to answer"
    [reply] = outbox.outbox
    assert reply.to == ["stranger@example.org"]
    assert reply.extra_headers["Auto-Submitted"] == "auto-replied"
    assert reply.extra_headers["In-Reply-To"] == f"<{first.message_id}>"


def test_a_mail_from_an_agent_who_is_not_a_customer_is_rejected():
    AgentFactory(user__email="alice@example.com")

    inbound = take_in(mail(sender="alice@example.com"))

    assert inbound.outcome == Outcome.REJECTED
    assert "not a customer" in inbound.reason


def test_a_malformed_mail_is_kept_aside_whole(carol):
    inbound = take_in(MALFORMED)

    assert inbound.outcome == Outcome.MALFORMED
    assert "no sender" in inbound.reason
    assert bytes(inbound.raw) == MALFORMED
    assert take_in(MALFORMED).pk == inbound.pk


@override_settings(SERVICEDESK_MAIL_MAX_BYTES=1000)
def test_a_mail_over_the_size_limit_keeps_its_headers_only(carol):
    raw = mail(attachments=[("big.bin", b"x" * 5000, "application/octet-stream")])

    inbound = take_in(raw)

    assert inbound.outcome == Outcome.TOO_LARGE
    assert inbound.size == len(raw) and "over the limit" in inbound.reason
    assert bytes(inbound.raw).startswith(b"From: carol@example.com")
    assert len(bytes(inbound.raw)) < 1000
    assert inbound.from_address == "carol@example.com"


def test_an_html_only_mail_is_read_as_text(carol):
    html = "<html><body><p>Screen is <b>black</b></p><ul><li>since Monday</li></ul></body></html>"

    inbound = take_in(mail(text=None, html=html))

    assert inbound.request.description == "Screen is black\n\n  * since Monday"


PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def stored(attachment) -> bytes:
    with attachment_storage().open(attachment.stored_name, "rb") as file:
        return file.read()


def test_a_new_mails_attachments_are_stored_with_the_request(carol):
    raw = mail(
        attachments=[
            ("screenshot.png", PNG, "image/png"),
            ("log.txt", b"error 42\n", "text/plain"),
            ("setup.exe", b"MZ" + b"\x00" * 100, "application/octet-stream"),
        ]
    )

    inbound = take_in(raw)

    files = list(inbound.request.attachments.order_by("pk"))
    assert [(f.name, f.content_type, f.size, f.message) for f in files] == [
        ("screenshot.png", "image/png", 108, None),
        ("log.txt", "text/plain", 9, None),
    ]
    assert [stored(f) for f in files] == [PNG, b"error 42\n"]
    assert files[0].uploaded_by == carol.user
    refused = inbound.attachments[2]
    assert refused["name"] == "setup.exe" and "not accepted" in refused["refused"]
    assert "Not attached: setup.exe" in inbound.request.description


def test_a_replys_attachments_are_stored_with_its_message(carol):
    request = submit(carol)

    inbound = take_in(
        mail(
            subject=f"Re: [{request.reference}]",
            text="Here is the screen.",
            attachments=[("screen.png", PNG, "image/png")],
        )
    )

    [attachment] = inbound.posted_message.attachments.all()
    assert (attachment.request, attachment.name, stored(attachment)) == (
        request,
        "screen.png",
        PNG,
    )


def test_a_mailbox_with_a_department_routes_its_new_requests(carol, department):
    mailbox = Mailbox.objects.create(
        name="IT", address="it@example.com", department=department, host="x", username="x"
    )

    inbound = take_in(mail(), mailbox=mailbox)

    assert inbound.request.state == State.QUEUED
    assert inbound.request.department == department
    assert inbound.mailbox == mailbox


def test_an_empty_reply_still_becomes_a_message(carol):
    request = submit(carol)

    inbound = take_in(mail(subject=f"Re: [{request.reference}]", text=""))

    assert inbound.outcome == Outcome.THREADED
    assert Message.objects.get(request=request).body


def test_a_reply_to_the_desks_own_notification_mail_threads(carol, department):
    """The whole loop: an agent's reply is mailed to the customer (workflows/notifications.py
    gives it a Message-ID), and the customer's answer to that mail lands on the request."""
    agent = AgentFactory(departments=[department])
    request = drive(
        submit(carol),
        ("route", {"department": department}, SYSTEM),
        ("assign", {"assignee": agent}, SYSTEM),
    )
    message = do_post_message(request, actor=actor_for_user(agent.user), body="Which tray?")
    outbox.outbox.clear()
    notices.notify_message(message.pk)
    for notification in Notification.objects.filter(recipient=carol.user):
        send_notification_email(notification.pk)
    [sent] = outbox.outbox
    assert f"[{request.reference}]" in sent.subject

    inbound = take_in(
        mail(
            subject=f"Re: {sent.subject}",
            in_reply_to=sent.extra_headers["Message-ID"].strip("<>"),
            text="The second one.\n\nOn Fri, 4 Dec 2026 at 16:45, Service Desk "
            f"<{sent.from_email}> wrote:\n"
            + "".join(f"> {line}\n" for line in sent.body.split("\n")),
        )
    )

    assert (inbound.outcome, inbound.request) == (Outcome.THREADED, request)
    assert inbound.posted_message.body == "The second one."


@pytest.mark.postgres
def test_the_sender_is_found_by_an_index_not_a_scan_of_every_user(carol):
    from django.db import connection

    query = Customer.objects.filter(user__email__iexact="carol@example.com")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "mail_auth_user_email_upper" in plan


def test_the_desks_mails_to_a_mailed_in_request_answer_its_mail_and_its_mailbox(carol, department):
    """The customer's mail program shows one thread that starts with their own mail, and their
    answers go to the mailbox the request came in by; agents' mails have no Reply-To."""
    mailbox = Mailbox.objects.create(name="it", address="it-desk@example.com", host="imap.invalid")
    inbound = take_in(mail(message_id="first@customer.example"), mailbox=mailbox)
    agent = AgentFactory(departments=[department], user__email="agent@example.com")
    request = drive(
        inbound.request,
        ("route", {"department": department}, SYSTEM),
        ("assign", {"assignee": agent}, SYSTEM),
    )
    notices.notify_transition(request.pk, request.last_event_seq)
    message = do_post_message(request, actor=actor_for_user(agent.user), body="Which tray?")
    notices.notify_message(message.pk)
    outbox.outbox.clear()
    for notification in Notification.objects.filter(request=request):
        send_notification_email(notification.pk)

    to_agent = next(m for m in outbox.outbox if m.to == ["agent@example.com"])
    to_customer = next(m for m in outbox.outbox if m.to == ["carol@example.com"])
    assert to_customer.reply_to == ["it-desk@example.com"]
    assert to_customer.extra_headers["In-Reply-To"] == "<first@customer.example>"
    assert to_agent.reply_to == []
    assert "In-Reply-To" not in to_agent.extra_headers


def test_a_reply_to_a_merged_request_goes_on_in_the_one_it_was_merged_into(carol, department):
    from apps.tickets.merging import do_merge_requests

    lead = AgentFactory(departments=[department])
    kept = drive(submit(carol), ("route", {"department": department}, SYSTEM))
    duplicate = drive(submit(carol), ("route", {"department": department}, SYSTEM))
    do_merge_requests(duplicate, into=kept, actor=actor_for_user(lead.user))

    inbound = take_in(mail(subject=f"Re: [{duplicate.reference}] Cannot print", text="More."))

    assert (inbound.outcome, inbound.request) == (Outcome.THREADED, kept)
    assert list(kept.messages.values_list("body", flat=True)) == ["More."]
