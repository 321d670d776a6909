"""End to end on a real worker: a request past its SLA target is breached and escalated."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from apps.eventlog.models import Event
from apps.tickets.models import ServiceRequest
from tests.factories import DepartmentFactory, submit
from tests.support.workers import wait_for
from workflows.enqueue import enqueue

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.slow]


def test_the_sweep_task_breaches_and_escalates(celery_worker_process, standard_policy, customer):
    triage = DepartmentFactory(code="triage", is_triage=True)
    lead = customer.user.__class__.objects.create_user("lead-of-triage", email="l@example.com")
    triage.leads.add(lead)
    # Submitted two hours ago: the 60-minute first response is 200% used.
    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
        request = submit(customer, subject="Nobody answered")
    wait_for(
        lambda: ServiceRequest.objects.get(pk=request.pk).state == "queued",
        timeout=90,
        what="the worker to route the request",
    )
    assert enqueue("sla.sweep_clocks")

    def escalated():
        return Event.objects.filter(request=request, kind="escalation").count() == 3

    wait_for(escalated, timeout=90, what="the sweep task to record three escalation steps")
    kinds = list(
        Event.objects.filter(request=request, kind__in=["sla_warning", "sla_breach"]).values_list(
            "kind", "payload__clock"
        )
    )
    assert kinds == [("sla_warning", "first_response"), ("sla_breach", "first_response")]
    breached = ServiceRequest.objects.get(pk=request.pk)
    assert breached.escalation_level == 1  # the 100% step
    assert breached.priority == request.priority - 1  # the 150% step
    assert lead.notifications.filter(request=request, kind="escalation").count() == 1
    call_command("check_event_log")
