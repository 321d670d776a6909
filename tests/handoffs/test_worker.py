"""End to end on a real worker: the handoffs queue notifies the target department, an accepted
transfer is assigned inside the new department, and the OLA sweep task expires what waits."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.actors import actor_for_user
from apps.handoffs.models import Handoff, OLAPolicy
from apps.handoffs.services import do_accept_handoff, do_request_handoff
from apps.notifications.models import Notification
from apps.tickets.models import ServiceRequest
from tests.factories import CategoryFactory, submit
from tests.handoffs.conftest import Org
from tests.support.workers import celery_worker_process, wait_for  # noqa: F401 (fixture)
from workflows.enqueue import enqueue

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.slow]


def test_transfer_notified_accepted_and_assigned_in_the_new_department(
    celery_worker_process,  # noqa: F811  pytest passes the imported fixture by name
    customer,
):
    org = Org(customer)
    category = CategoryFactory(name="Purchases", default_department=org.it.department)
    request = submit(customer, subject="Order a laptop", category=category)
    request = wait_for(
        lambda: ServiceRequest.objects.filter(pk=request.pk, assignee__isnull=False).first(),
        timeout=90,
        what="the worker to route and assign the request in IT",
    )
    owner = request.assignee.user
    handoff = do_request_handoff(
        request,
        actor=actor_for_user(owner),
        kind="transfer",
        to_department=org.finance.department,
        reason="Purchases over 1000 need Finance",
    )
    finance_people = {org.finance.agent.user, org.finance.lead.user}
    wait_for(
        lambda: (
            {n.recipient for n in Notification.objects.filter(kind="handoff")} == finance_people
        ),
        timeout=60,
        what="the handoffs worker to notify Finance",
    )
    do_accept_handoff(handoff, actor=org.finance.agent_actor)
    moved = wait_for(
        lambda: ServiceRequest.objects.filter(
            pk=request.pk, department=org.finance.department, assignee__isnull=False
        ).first(),
        timeout=60,
        what="the routing worker to assign the request inside Finance",
    )
    assert moved.assignee.departments.filter(pk=org.finance.department.pk).exists()
    wait_for(
        lambda: Notification.objects.filter(recipient=owner, kind="handoff").exists(),
        timeout=60,
        what="the sender to hear of the acceptance",
    )
    assert Handoff.objects.get(pk=handoff.pk).notified_steps == ["requested", "accepted"]
    call_command("check_event_log")


def test_the_sweep_task_expires_an_unaccepted_handoff(
    celery_worker_process,  # noqa: F811  pytest passes the imported fixture by name
    customer,
):
    org = Org(customer)
    OLAPolicy.objects.create(
        name="Legal", to_department=org.legal.department, expire_after_minutes=30
    )
    with time_machine.travel(timezone.now() - timedelta(hours=1), tick=False):
        request = org.request_in_progress()
        handoff = do_request_handoff(
            request,
            actor=org.it.agent_actor,
            kind="consult",
            to_department=org.legal.department,
            reason="Liability?",
        )

    def swept_and_expired() -> bool:
        # As beat does: a sweep skips a request another task holds locked (skip_locked) and
        # leaves it to the next sweep, so one sweep alone may find it busy.
        assert enqueue("handoffs.sweep_ola_clocks")
        return Handoff.objects.get(pk=handoff.pk).state == "expired"

    wait_for(
        swept_and_expired, timeout=60, every=1.0, what="the OLA sweep task to expire the handoff"
    )
    wait_for(
        lambda: Notification.objects.filter(
            recipient=org.it.agent.user, kind="handoff", title__contains="expired"
        ).exists(),
        timeout=60,
        what="the sender to hear of the expiry",
    )
