"""A duplicate merged into another request is volume ("merged", "out"), never a resolution, and
its SLA clocks (stopped by the merge) count in no compliance figure."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.actors import actor_for_user
from apps.analytics.metrics import compute_metrics
from apps.sla.models import ClockState, SLAClock
from apps.tickets.merging import do_merge_requests
from tests.paths import Desk

pytestmark = pytest.mark.django_db


def test_a_merged_duplicate_is_not_resolved_and_not_in_the_sla(customer, standard_policy):
    desk = Desk(customer)
    target, duplicate = desk.request_in("queued"), desk.request_in("queued")
    do_merge_requests(duplicate, into=target, actor=actor_for_user(desk.lead.user))
    assert SLAClock.objects.filter(request=duplicate, state=ClockState.STOPPED).exists()

    now = timezone.now()
    (row,) = compute_metrics(start=now - timedelta(hours=1), end=now + timedelta(hours=1))
    volume = row["volume"]
    assert (volume["merged"], volume["resolved"], volume["out"]) == (1, 0, 1)
    assert volume["backlog"] == 1  # the request kept
    assert row["resolution"]["wall"]["count"] == 0
    assert all(figure["total"] == 0 for figure in row["sla"].values())
