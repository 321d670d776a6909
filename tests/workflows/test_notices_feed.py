"""The notices of transitions whose task was lost (a broker crash) are made from the event log,
once: the feed and the prompt task never both notify."""

from datetime import timedelta

import pytest

from apps.notifications.kinds import NotificationKind
from apps.notifications.models import Notification, WebhookFeed
from tests.paths import Desk
from workflows import notices_feed

pytestmark = pytest.mark.django_db


def _assigned_notices(request) -> int:
    return Notification.objects.filter(request=request, kind=NotificationKind.ASSIGNED).count()


def test_a_lost_notice_is_made_from_the_log_once(customer, monkeypatch):
    WebhookFeed.objects.create(name=notices_feed.FEED, last_event_id=0)  # a running desk's
    request = Desk(customer).request_in("assigned")  # its notify task sits unrun in the broker
    assert _assigned_notices(request) == 0

    monkeypatch.setattr(notices_feed, "LAG", timedelta(hours=1))
    assert notices_feed.feed_notices() == 0  # too young: the prompt task's turn
    assert WebhookFeed.objects.get(name=notices_feed.FEED).last_event_id == 0

    monkeypatch.setattr(notices_feed, "LAG", timedelta(0))
    assert notices_feed.feed_notices() == 1
    assert _assigned_notices(request) == 1
    assert notices_feed.feed_notices() == 0  # read past

    # Read again (or the prompt task runs late): nobody is told twice.
    WebhookFeed.objects.filter(name=notices_feed.FEED).update(last_event_id=0)
    assert notices_feed.feed_notices() == 0
    assert _assigned_notices(request) == 1


def test_a_new_desk_starts_at_the_end_of_its_log(customer, monkeypatch):
    request = Desk(customer).request_in("assigned")
    monkeypatch.setattr(notices_feed, "LAG", timedelta(0))
    assert notices_feed.feed_notices() == 0
    assert _assigned_notices(request) == 0


def test_beat_runs_the_feed_and_the_unsent_mail_sweep(settings):
    every = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert every["notifications.feed_notices"] == 30.0
    assert every["notifications.sweep_unsent_notifications"] == 60.0
