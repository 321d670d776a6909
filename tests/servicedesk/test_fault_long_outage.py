"""Redis down 30 s in the middle of 1,000 API creates through gunicorn (issue 20): nothing lost,
nothing created twice however the clients retry, every request routed within 30 s of the
broker's return, and the e-mails and webhooks of the period each delivered exactly once, counted
at a real SMTP server and a real webhook receiver."""

import threading
import time
from collections import Counter

import pytest
from django.db.models import Max
from django.utils import timezone

from apps.api.tokens import do_issue_token
from apps.eventlog.models import Event
from apps.lifecycle.reference import parse_reference
from apps.notifications.models import (
    DeliveryStatus,
    Notification,
    WebhookDelivery,
    WebhookFeed,
    WebhookSubscription,
)
from apps.tickets.models import ServiceRequest
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory
from tests.support.faults_load import LoadClient, LoadResult
from tests.support.faults_outcome import (
    assert_each_routed_and_assigned_once,
    record,
    wait_until_assigned,
)
from tests.support.smtp import smtp_env
from tests.support.workers import wait_for
from tests.webhook_receiver import run_receiver

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.slow,
]
CREATES = 1000
OUTAGE_SECONDS = 30
RATE = 12  # creates a second, about 360 of them while the broker is down
ROUTED_WITHIN = 30  # seconds from the broker's return to the last request routed (issue 20)
# The webhook of each create: written by the API, during the outage for a third of them.
LIFECYCLE = ["request.created"]
# The worker groups of compose.yaml (docs/deployment.md): the fast group, and the background one.
FAST_QUEUES = "routing,chatbot"
BACKGROUND_QUEUES = "sla,handoffs,notifications,default"


@pytest.fixture
def large_desk(transactional_db):
    """A triage department assigning automatically with room for every request; a customer."""
    department = DepartmentFactory(code="triage", is_triage=True)
    for _ in range(4):
        AgentFactory(departments=[department], capacity=CREATES)
    return department, CustomerFactory()


def test_a_30_s_broker_outage_during_1000_creates(
    stack, large_desk, redis_server, smtp_server, settings
):
    _, customer = large_desk
    inbox, smtp_port = smtp_server
    # The recovery sweep on its production timings (settings' defaults).
    stack.env.update(SERVICEDESK_STUCK_NEW_SECONDS="10", SERVICEDESK_RECOVERY_SWEEP_SECONDS="10")
    stack.env.update(smtp_env(smtp_port), SERVICEDESK_WEBHOOK_ALLOW_PRIVATE="true")
    settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE = True
    with run_receiver(200) as receiver:
        subscription = WebhookSubscription.objects.create(
            name="ops", url=receiver.url, event_kinds=LIFECYCLE
        )
        receiver.secret = subscription.secret
        # A running desk's feeds have their cursors (a new one starts at the end of its log):
        # what the crash loses from the queues they make from the log.
        for feed in ("lifecycle", "notices"):
            WebhookFeed.objects.create(name=feed, last_event_id=0)
        # Workers by queue group, as deployed (compose.yaml): the notifications' 4,000 tasks
        # and the sweeps of the run do not stand in routing's way.
        stack.start(web_workers=2, queues=FAST_QUEUES)
        stack.start_worker("background", queues=BACKGROUND_QUEUES)
        token = do_issue_token(user=customer.user)[1]
        result, outage = _creates_through_an_outage(stack, redis_server, token)

        assert result.server_errors == 0 and not result.failed_keys, result.figures()
        references = set(result.references.values())
        ids = {parse_reference(r) for r in references}
        # Nothing lost, nothing twice: one request per key, and no request without its key.
        assert len(result.references) == len(references) == CREATES
        assert set(ServiceRequest.objects.values_list("pk", flat=True)) == ids
        during = ServiceRequest.objects.filter(created_at__range=(outage["down"], outage["up"]))
        assert during.count() >= 100, "the API did not go on creating through the outage"

        wait_until_assigned(references, timeout=180)
        # The deadline is the backlog's: what was created until the broker came back is routed
        # within ROUTED_WITHIN of its return. Creates go on after the return (at RATE a second
        # until all 1,000 are sent, about 28 s), so each of those must be routed within the
        # same time of its own creation.
        routes = Event.objects.filter(request_id__in=ids, transition="route")
        backlog = routes.filter(request__created_at__lte=outage["up"])
        routed_after = (backlog.aggregate(last=Max("at"))["last"] - outage["up"]).total_seconds()
        later = routes.filter(request__created_at__gt=outage["up"])
        slowest_later = max(
            (
                (at - created).total_seconds()
                for at, created in later.values_list("at", "request__created_at")
            ),
            default=0.0,
        )
        last_routed = (routes.aggregate(last=Max("at"))["last"] - outage["up"]).total_seconds()
        outcome = assert_each_routed_and_assigned_once(references)

        # The assignee of each request hears of it by e-mail; each create makes one webhook.
        emails = Notification.objects.filter(request_id__in=ids, email_wanted=True)
        deliveries = WebhookDelivery.objects.filter(subscription=subscription)
        _wait_until_sent(emails, inbox, deliveries, receiver)
        sent_after = (timezone.now() - outage["up"]).total_seconds()
        time.sleep(2)  # anything sent twice would arrive now
        _assert_each_sent_once(emails, inbox, deliveries, receiver)

    record(
        "long_broker_outage",
        {
            **result.figures(),
            **outcome,
            "lost": CREATES - len(references),
            "outage_seconds": round((outage["up"] - outage["down"]).total_seconds(), 1),
            "created_during_outage": during.count(),
            "seconds_from_broker_back_to_backlog_routed": round(routed_after, 1),
            "seconds_from_broker_back_to_last_routed": round(last_routed, 1),
            "slowest_routing_after_the_return_seconds": round(slowest_later, 1),
            "seconds_from_broker_back_to_all_sent": round(sent_after, 1),
            "emails_sent": len(inbox.mails),
            "webhooks_delivered": len(receiver.received),
        },
    )
    # Last, so that the figures above are kept whatever the run's speed.
    assert routed_after <= ROUTED_WITHIN, f"backlog routed {routed_after:.1f} s after the return"
    assert slowest_later <= ROUTED_WITHIN, f"a later create waited {slowest_later:.1f} s"


def _creates_through_an_outage(stack, redis_server, token) -> tuple[LoadResult, dict]:
    """1,000 creates at RATE a second from 4 threads; after 300 answers the broker is stopped
    for OUTAGE_SECONDS. Returns what the client saw, and when the broker went and came back."""
    # Every tenth create gives up on its first call (the server goes on with it) and is
    # retried with the same key, as is every create whose call fails.
    client = LoadClient(stack.base_url, token, impatient_every=10)
    load = threading.Thread(target=client.run, args=(CREATES,), kwargs={"rate": RATE})
    load.start()
    wait_for(lambda: client.progress >= 300, timeout=90, what="300 creates before the outage")
    down = timezone.now()
    redis_server.stop()
    time.sleep(OUTAGE_SECONDS)
    redis_server.start()
    up = timezone.now()
    load.join(timeout=240)
    assert not load.is_alive(), "the load client did not finish"
    return client.result, {"down": down, "up": up}


def _wait_until_sent(emails, inbox, deliveries, receiver) -> None:
    def all_sent():
        return (
            emails.count() == CREATES
            and not emails.filter(emailed_at__isnull=True).exists()
            and len(inbox.mails) >= CREATES
            and deliveries.filter(status=DeliveryStatus.DELIVERED).count() == CREATES
            and len(receiver.received) >= CREATES
        )

    wait_for(all_sent, timeout=300, every=0.5, what="the e-mails and webhooks to be sent")


def _assert_each_sent_once(emails, inbox, deliveries, receiver) -> None:
    """Counted at the receivers: one mail per notification (by Message-ID), one POST per
    delivery (by webhook-id), none twice."""
    mails = Counter(m["Message-ID"].strip("<>") for _, m in inbox.mails)
    assert set(mails) == set(emails.values_list("message_id", flat=True))
    assert set(mails.values()) == {1}, [k for k, n in mails.items() if n > 1][:5]
    hooks = Counter(r.headers["webhook-id"] for r in receiver.received)
    assert set(hooks) == {f"msg_{pk}" for pk in deliveries.values_list("pk", flat=True)}
    assert set(hooks.values()) == {1}, [k for k, n in hooks.items() if n > 1][:5]
    assert all(r.verified for r in receiver.received)
