"""A real Celery worker on real Redis picks up the work a transition enqueues after commit."""

import pytest

from apps.accounts.actors import actor_for_user
from apps.eventlog.models import Event
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from tests.factories import CategoryFactory, CustomerFactory, DepartmentFactory
from tests.support.workers import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.slow]


def test_submitted_request_is_routed_by_a_real_worker(celery_worker_process, django_db_blocker):
    department = DepartmentFactory(code="hw")
    category = CategoryFactory(default_department=department)
    customer = CustomerFactory()
    request = services.do_submit_request(
        actor=actor_for_user(customer.user),
        customer=customer,
        subject="Laptop broken",
        category=category,
    )  # committed: the routing task is on Redis now, sent by the after-commit hook

    def routed():
        assert celery_worker_process.poll() is None, "the worker died"
        return ServiceRequest.objects.get(pk=request.pk).state == "queued"

    wait_for(routed, timeout=90, what="the worker to route the request")
    routed_request = ServiceRequest.objects.get(pk=request.pk)
    assert routed_request.department_id == department.pk
    events = list(Event.objects.filter(request=request).order_by("seq"))
    assert [(e.transition, e.actor_role) for e in events] == [
        ("submit", "customer"),
        ("route", "system"),
    ]
    assert "category" in events[1].payload["reason"]


def test_a_redelivered_routing_task_does_nothing_new(celery_worker_process):
    from workflows.enqueue import enqueue

    triage = DepartmentFactory(code="triage", is_triage=True)
    customer = CustomerFactory()
    request = services.do_submit_request(
        actor=actor_for_user(customer.user), customer=customer, subject="Where is my invoice?"
    )
    wait_for(
        lambda: ServiceRequest.objects.get(pk=request.pk).state == "queued",
        timeout=90,
        what="routing to the triage department",
    )
    # The same task again, as a broker redelivery would bring it.
    assert enqueue("routing.route_request", request_id=request.pk)
    wait_for(
        lambda: "'nothing to do'" in celery_worker_process.log_path.read_text(),
        timeout=60,
        what="the worker to run the redelivered task",
    )
    routed = ServiceRequest.objects.get(pk=request.pk)
    assert (routed.state, routed.department_id, routed.version) == ("queued", triage.pk, 2)
    assert Event.objects.filter(request=request).count() == 2
