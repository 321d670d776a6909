"""A customer with a rich history, every part through the desk's own doors, and the strings
that identify them (which an erasure must leave nowhere)."""

from dataclasses import dataclass, field

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.handoffs import services as handoffs
from apps.lifecycle.reference import parse_reference
from apps.mail.intake import take_in
from apps.notifications.models import WebhookSubscription
from apps.notifications.services import do_notify
from apps.tickets.attachments import (
    IncomingFile,
    do_post_message_with_files,
    do_submit_request_with_files,
)
from apps.tickets.feedback import do_give_feedback
from apps.tickets.merging import do_merge_requests
from apps.tickets.models import ServiceRequest
from apps.tickets.services import do_post_message, transition
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory, drive, submit
from tests.mail.mails import mail
from tests.support.api import client_for
from tests.support.attachments import PNG, TEXT
from workflows.webhook_feed import publish_request_event

EMAIL = "quinn.zephyr@customer.example"
# Every string below is unique to the customer; none may survive the erasure.
SECRETS = [
    EMAIL,
    "qzephyr",  # login
    "Quinnelda",  # first name
    "Zephyrsson",  # last name
    "Zephyr Holdings",  # organisation
    "XYZZY-SUBJECT",
    "XYZZY-DESCRIPTION",
    "XYZZY-MESSAGE",
    "XYZZY-QUOTE",
    "XYZZY-NOTE",
    "XYZZY-REASON",
    "XYZZY-HANDOFF",
    "XYZZY-RESULT",
    "XYZZY-COMMENT",
    "XYZZY-FILE",
    "XYZZY-MAIL",
    "XYZZY-NOTIFIED",
    "XYZZY-CANCEL",
]


@dataclass
class History:
    customer: object
    agent: object
    other_agent: object
    requests: list = field(default_factory=list)


def make_customer():
    return CustomerFactory(
        user__username="qzephyr",
        user__email=EMAIL,
        user__first_name="Quinnelda",
        user__last_name="Zephyrsson",
        organisation="Zephyr Holdings",
    )


def rich_history(customer=None) -> History:
    """Requests with files, messages both ways, an internal note, a request for information,
    a transfer and a consult, a merge, feedback, a cancellation, a mail, notifications and
    webhook deliveries of every kind of event."""
    customer = customer or make_customer()
    it, legal = DepartmentFactory(), DepartmentFactory()
    agent = AgentFactory(departments=[it])
    other = AgentFactory(departments=[legal])
    me, alice, bob = actor_for_user(customer.user), actor_for_user(agent.user), None
    bob = actor_for_user(other.user)
    WebhookSubscription.objects.create(
        name="all", url="https://hooks.example.com/sd", internal=True
    )
    main = do_submit_request_with_files(
        actor=me,
        customer=customer,
        subject="XYZZY-SUBJECT printer",
        description="XYZZY-DESCRIPTION call Quinnelda",
        files=[IncomingFile("XYZZY-FILE.png", PNG), IncomingFile("log.txt", TEXT)],
    )
    main = drive(
        main,
        ("route", {"department": it}, SYSTEM),
        ("assign", {"assignee": agent}, SYSTEM),
        ("start", {}, alice),
    )
    do_post_message(main, actor=alice, body="Dear Quinnelda, XYZZY-QUOTE")
    do_post_message(main, actor=alice, body="XYZZY-NOTE Zephyrsson is VIP", internal=True)
    main = drive(main, ("request_info", {}, alice))
    do_post_message_with_files(
        main, actor=me, body="XYZZY-MESSAGE", files=[IncomingFile("XYZZY-FILE2.txt", TEXT)]
    )
    consult = handoffs.do_request_handoff(
        main, actor=alice, kind="consult", to_department=legal, reason="XYZZY-HANDOFF consult"
    )
    handoffs.do_accept_handoff(consult, actor=bob)
    consult.refresh_from_db()
    handoffs.do_complete_handoff(consult, actor=bob, result="XYZZY-RESULT for Quinnelda")
    duplicate = submit(customer, subject="XYZZY-SUBJECT again", description="XYZZY-DESCRIPTION 2")
    duplicate = drive(duplicate, ("route", {"department": it}, SYSTEM))
    main.refresh_from_db()
    do_merge_requests(duplicate, into=main, actor=alice, reason="XYZZY-REASON same")
    main.refresh_from_db()
    main = drive(main, ("resolve", {}, alice))
    do_give_feedback(main, actor=me, rating=2, comment="XYZZY-COMMENT slow")
    transferred = submit(customer, subject="XYZZY-SUBJECT transfer")
    transferred = drive(
        transferred, ("route", {"department": it}, SYSTEM), ("assign", {"assignee": agent}, SYSTEM)
    )
    transfer = handoffs.do_request_handoff(
        transferred, actor=alice, kind="transfer", to_department=legal, reason="XYZZY-HANDOFF"
    )
    handoffs.do_accept_handoff(transfer, actor=bob)
    cancelled = submit(customer, subject="XYZZY-SUBJECT cancel")
    cancelled = transition(cancelled, "cancel", actor=me, reason="XYZZY-CANCEL by Quinnelda")
    mailed = take_in(
        mail(sender=f"Quinnelda Zephyrsson <{EMAIL}>", subject="XYZZY-MAIL", text="XYZZY-MAIL")
    ).request
    do_notify(
        recipients=[customer.user, agent.user],
        kind="test",
        title="XYZZY-NOTIFIED",
        body="about Quinnelda",
        request=main,
    )
    # Through the API with an Idempotency-Key: the answer (with the subject) is stored.
    created = client_for(customer.user).post(
        "/api/v1/requests/",
        {"subject": "XYZZY-SUBJECT api"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="xyzzy-1",
    )
    assert created.status_code == 201, created.content
    api_made = ServiceRequest.objects.get(pk=parse_reference(created.json()["reference"]))
    # What the admin's history records of a change to the request and to the customer.
    for thing in (main, customer):
        LogEntry.objects.create(
            user=agent.user,
            content_type=ContentType.objects.get_for_model(thing),
            object_id=str(thing.pk),
            object_repr=str(thing)[:200],
            action_flag=CHANGE,
            change_message="Changed Quinnelda's details",
        )
    requests = [main, duplicate, transferred, cancelled, mailed, api_made]
    for request in requests:
        for seq in range(1, request.events.count() + 1):
            publish_request_event(request.pk, event_seq=seq)
    return History(customer, agent, other, requests)
