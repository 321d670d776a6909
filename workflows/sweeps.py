"""Periodic sweeps: re-dispatch requests stuck in `new`, close resolved ones after a while."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from apps.accounts.actors import SYSTEM
from apps.accounts.models import AssignmentStrategy
from apps.core.errors import ServiceDeskError
from apps.lifecycle.states import State
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from workflows.enqueue import enqueue


def redispatch_stuck_requests(limit: int = 500) -> int:
    """Enqueue routing again for requests in `new`, and assignment again for unassigned queued
    requests of departments that assign automatically, once they have waited longer than
    SERVICEDESK_STUCK_NEW_SECONDS: a task lost while the broker was down must not strand a
    request. Returns how many tasks were sent."""
    since = timezone.now() - timedelta(seconds=settings.SERVICEDESK_STUCK_NEW_SECONDS)
    waiting = ServiceRequest.objects.filter(state_changed_at__lt=since).order_by("state_changed_at")
    new = waiting.filter(state=State.NEW).values_list("pk", flat=True)[:limit]
    unassigned = (
        waiting.filter(state=State.QUEUED, assignee__isnull=True)
        .exclude(department__assignment_strategy=AssignmentStrategy.MANUAL)
        .values_list("pk", flat=True)[:limit]
    )
    return sum(enqueue("routing.route_request", request_id=pk) for pk in new) + sum(
        enqueue("routing.assign_request", request_id=pk) for pk in unassigned
    )


def auto_close_resolved(limit: int = 500) -> int:
    """Close requests resolved more than SERVICEDESK_AUTO_CLOSE_DAYS ago. Returns the count."""
    since = timezone.now() - timedelta(days=settings.SERVICEDESK_AUTO_CLOSE_DAYS)
    due = ServiceRequest.objects.filter(state=State.RESOLVED, resolved_at__lt=since).order_by(
        "resolved_at"
    )[:limit]
    closed = 0
    for request in due:
        try:
            services.transition(
                request, "auto_close", actor=SYSTEM, reason="no reopen within the auto-close period"
            )
        except ServiceDeskError:
            continue  # reopened or closed meanwhile: nothing to do
        closed += 1
    return closed
