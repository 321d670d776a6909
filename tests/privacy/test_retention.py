"""Retention: closed and cancelled requests anonymised after SERVICEDESK_RETENTION_DAYS_CLOSED,
by a beat task on the default queue; open and recent ones untouched; the log still replays."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from apps.eventlog.replay import check_log
from apps.privacy.models import Action, AnonymisedRequest, PrivacyRecord
from apps.privacy.retention import sweep_retention
from apps.privacy.scrubbing import ERASED
from apps.tickets.models import ServiceRequest
from apps.tickets.services import do_post_message, transition
from servicedesk.celery import app
from tests.factories import submit
from workflows import tasks

pytestmark = pytest.mark.django_db

LATER = timedelta(days=31)


@pytest.fixture
def requests(customer, customer_actor):
    """A cancelled request with a reason and a message, and an open one."""
    cancelled = submit(customer, subject="XYZZY old", description="XYZZY details")
    do_post_message(cancelled, actor=customer_actor, body="XYZZY words")
    cancelled = transition(cancelled, "cancel", actor=customer_actor, reason="XYZZY reason")
    return cancelled, submit(customer, subject="XYZZY open")


def test_retention_is_off_by_default(requests):
    assert django_settings.SERVICEDESK_RETENTION_DAYS_CLOSED == 0
    assert sweep_retention(now=timezone.now() + timedelta(days=3650)) == 0
    assert not AnonymisedRequest.objects.exists()


def test_requests_closed_longer_than_retention_are_anonymised_once(settings, requests):
    settings.SERVICEDESK_RETENTION_DAYS_CLOSED = 30
    cancelled, open_one = requests

    assert sweep_retention(now=timezone.now() + timedelta(days=29)) == 0
    assert sweep_retention(now=timezone.now() + LATER) == 1
    assert sweep_retention(now=timezone.now() + LATER) == 0

    cancelled.refresh_from_db()
    assert (cancelled.subject, cancelled.description, cancelled.state) == (ERASED, "", "cancelled")
    assert list(cancelled.messages.values_list("body", flat=True)) == [ERASED]
    assert cancelled.events.get(transition="cancel").payload["reason"] == ERASED
    open_one.refresh_from_db()
    assert open_one.subject == "XYZZY open"
    record = PrivacyRecord.objects.get()
    assert (record.action, record.requests, record.customer_id) == (Action.RETENTION, 1, None)
    rows = ServiceRequest.objects.values_list("pk", "state", "last_event_seq")
    assert list(check_log(rows.iterator())) == []


def test_the_beat_runs_the_sweep_on_the_default_queue(settings, requests):
    entry = django_settings.CELERY_BEAT_SCHEDULE["sweep-retention"]
    assert tasks.sweep_retention.name == entry["task"]
    assert app.amqp.router.route({}, entry["task"])["queue"].name == "default"
    settings.SERVICEDESK_RETENTION_DAYS_CLOSED = 1
    ServiceRequest.objects.filter(pk=requests[0].pk).update(
        closed_at=timezone.now() - timedelta(days=2)
    )

    assert tasks.sweep_retention() == 1
