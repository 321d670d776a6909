"""Lifecycle webhooks fed from the event log: request.created, request.state_changed and
message.created, promptly after commit and by the beat's feed, never twice per subscription."""

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from apps.accounts.actors import actor_for_user
from apps.eventlog.models import Event, EventKind
from apps.lifecycle.priority import Priority
from apps.notifications.models import WebhookDelivery, WebhookFeed
from apps.tickets import services
from tests.factories import drive, submit
from tests.notifications.conftest import make_subscription
from tests.paths import Desk
from tests.webhook_receiver import run_receiver
from workflows import webhook_feed, webhooks

pytestmark = pytest.mark.django_db

LIFECYCLE = ["request.created", "request.state_changed", "message.created"]


@pytest.fixture
def desk(customer):
    return Desk(customer)


def published(kind=None, **filters):
    deliveries = WebhookDelivery.objects.filter(**filters).order_by("pk")
    return list(deliveries.filter(event_kind=kind) if kind else deliveries)


def cancel(request, customer):
    return drive(request, ("cancel", {}, actor_for_user(customer.user)))


def run_prompt_tasks(sent_tasks):
    """Run the publish tasks the receivers enqueued, as a worker would."""
    for name, kwargs, _ in sent_tasks:
        if name == "notifications.publish_request_event":
            webhook_feed.publish_request_event(
                kwargs["request_id"],
                event_seq=kwargs.get("event_seq"),
                message_id=kwargs.get("message_id"),
            )


def test_a_submit_is_published_after_commit_once(
    customer, sent_tasks, django_capture_on_commit_callbacks
):
    sub = make_subscription(event_kinds=LIFECYCLE)
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(customer, subject="VPN down")
    assert (
        "notifications.publish_request_event",
        {"request_id": request.pk, "event_seq": 1},
        None,
    ) in sent_tasks

    run_prompt_tasks(sent_tasks)
    run_prompt_tasks(sent_tasks)  # a redelivered task makes nothing new
    assert webhook_feed.feed_from_log() == 0  # nor does the backstop

    (delivery,) = published(subscription=sub)
    assert delivery.event_kind == "request.created"
    assert delivery.event.seq == 1
    assert delivery.occurred_at == request.created_at
    data = delivery.payload
    assert data["reference"] == request.reference
    assert data["subject"] == "VPN down"
    assert (data["state"], data["actor_role"], data["priority"]) == (
        "new",
        "customer",
        request.priority,
    )
    assert data["department"] is None


def test_every_transition_is_a_state_change_with_its_facts(customer, desk, sent_tasks):
    make_subscription(event_kinds=["request.state_changed"])
    request = submit(customer)
    lead = actor_for_user(desk.lead.user)
    request = drive(
        request,
        ("route", {"department": desk.department}, actor_for_user(desk.lead.user)),
        ("assign", {"assignee": desk.lead}, lead),
        ("reprioritize", {"priority": Priority.CRITICAL}, lead),
        ("start", {}, lead),
    )

    assert webhook_feed.feed_from_log() == 0  # the feed starts where the log is on first run
    WebhookFeed.objects.update(last_event_id=0)
    made = webhook_feed.feed_from_log()

    changes = published("request.state_changed")
    assert made == len(changes) == 4
    assert [(d.payload["transition"], d.payload["from"], d.payload["to"]) for d in changes] == [
        ("route", "new", "queued"),
        ("assign", "queued", "assigned"),
        ("reprioritize", "assigned", "assigned"),
        ("start", "assigned", "in_progress"),
    ]
    route = changes[0].payload
    assert route["reference"] == request.reference
    assert route["department"] == desk.department.code
    assert route["actor_role"] == "agent"
    assert route["at"] == changes[0].event.at.isoformat().replace("+00:00", "Z")
    # The priority as it was at each event, read from the log, not the request's current one.
    priorities = [d.payload["priority"] for d in changes]
    assert priorities[:2] == [priorities[0]] * 2 and priorities[0] != Priority.CRITICAL
    assert priorities[2:] == [Priority.CRITICAL] * 2
    assert not published("request.created")  # not subscribed


def test_internal_notes_go_only_to_internal_subscriptions(
    customer, desk, sent_tasks, django_capture_on_commit_callbacks
):
    public_only = make_subscription(name="public", event_kinds=["message.created"])
    internal = make_subscription(name="internal", event_kinds=["message.created"], internal=True)
    request = desk.request_in("in_progress")
    lead = actor_for_user(desk.lead.user)
    sent_tasks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reply = services.do_post_message(request, actor=lead, body="We are on it.")
        note = services.do_post_message(request, actor=lead, body="Customer is VIP", internal=True)
    run_prompt_tasks(sent_tasks)

    assert [d.payload["message"]["id"] for d in published(subscription=public_only)] == [reply.pk]
    got = [
        (d.payload["message"]["id"], d.payload["message"]["visibility"])
        for d in published(subscription=internal)
    ]
    assert got == [(reply.pk, "public"), (note.pk, "internal")]
    assert published(subscription=internal)[0].payload["message"]["body"] == "We are on it."
    # The backstop finds them all published.
    WebhookFeed.objects.all().delete()
    WebhookFeed.objects.create(name="lifecycle", last_event_id=0)
    assert webhook_feed.feed_from_log() == 0


def test_the_feed_publishes_what_the_prompt_task_lost(
    customer, sent_tasks, django_capture_on_commit_callbacks
):
    make_subscription(event_kinds=LIFECYCLE)
    webhook_feed.feed_from_log()  # the cursor is placed at the end of the log
    request = submit(customer)
    cancel(request, customer)
    sent_tasks.clear()  # the broker was down: the prompt tasks never ran

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_feed.feed_from_log() == 2
    assert [d.event_kind for d in published()] == ["request.created", "request.state_changed"]
    assert webhook_feed.feed_from_log() == 0
    assert WebhookFeed.objects.get().last_event_id == Event.objects.latest("pk").pk
    # ... and each went to the broker after commit.
    assert sorted(kw["delivery_id"] for n, kw, _ in sent_tasks if n == webhooks.TASK) == [
        d.pk for d in published()
    ]


def test_an_event_committed_after_the_cursor_passed_its_id_is_still_published(customer):
    make_subscription(event_kinds=["request.created"])
    first, second = submit(customer), submit(customer)
    first_event = Event.objects.get(request=first, seq=1)
    second_event = Event.objects.get(request=second, seq=1)
    # As if the first row's transaction was still open when the feed read the second.
    WebhookFeed.objects.create(
        name="lifecycle",
        last_event_id=second_event.pk,
        missing={str(first_event.pk): timezone.now().isoformat()},
    )

    assert webhook_feed.feed_from_log() == 1
    (delivery,) = published()
    assert delivery.event == first_event
    assert WebhookFeed.objects.get().missing == {}


def test_ids_missing_for_long_are_forgotten(customer):
    make_subscription(event_kinds=["request.created"])
    gone_since = (timezone.now() - timedelta(hours=1)).isoformat()
    WebhookFeed.objects.create(name="lifecycle", last_event_id=10**6, missing={"5": gone_since})

    webhook_feed.feed_from_log()

    assert WebhookFeed.objects.get().missing == {}


def test_a_subscription_hears_only_of_what_happens_after_it_was_made(customer):
    request = submit(customer)
    make_subscription(event_kinds=LIFECYCLE)
    WebhookFeed.objects.create(name="lifecycle", last_event_id=0)

    assert webhook_feed.feed_from_log() == 0
    cancel(request, customer)
    assert webhook_feed.feed_from_log() == 1


def test_nobody_subscribed_moves_the_cursor_without_reading(
    customer, sent_tasks, django_capture_on_commit_callbacks
):
    make_subscription(event_kinds=["sla_breach"])
    with django_capture_on_commit_callbacks(execute=True):
        submit(customer)
    assert not [n for n, _, _ in sent_tasks if n == "notifications.publish_request_event"]
    WebhookFeed.objects.create(name="lifecycle", last_event_id=0)

    assert webhook_feed.feed_from_log() == 0
    assert WebhookFeed.objects.get().last_event_id == Event.objects.latest("pk").pk


def test_a_state_change_arrives_verified_in_the_standard_format(customer, allow_private):
    with run_receiver(200) as receiver:
        sub = make_subscription(url=receiver.url, event_kinds=["request.state_changed"])
        receiver.secret = sub.secret
        request = cancel(submit(customer), customer)
        event = Event.objects.get(request=request, kind=EventKind.TRANSITION, transition="cancel")
        webhook_feed.publish_request_event(request.pk, event_seq=event.seq)
        (delivery,) = published()

        assert webhooks.deliver_webhook(delivery.pk) == "delivered"

    (received,) = receiver.received
    body = Webhook(receiver.secret).verify(received.body, received.headers)
    assert body["type"] == "request.state_changed"
    assert body["timestamp"] == event.at.isoformat().replace("+00:00", "Z")
    assert body["data"]["transition"] == "cancel"
    assert (body["data"]["from"], body["data"]["to"]) == ("new", "cancelled")
    assert body["data"]["actor_role"] == "customer"
