"""Periodic sweeps: re-dispatch requests stuck in `new`, close resolved ones after a while."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from apps.accounts.actors import SYSTEM
from apps.core.errors import ServiceDeskError
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.states import State
from workflows.enqueue import enqueue


def redispatch_stuck_requests(limit: int = 500) -> int:
    """Enqueue routing again for requests in `new` longer than SERVICEDESK_STUCK_NEW_SECONDS
    (a task lost while the broker was down must not strand a request). Returns the count."""
    since = timezone.now() - timedelta(seconds=settings.SERVICEDESK_STUCK_NEW_SECONDS)
    stuck = (
        ServiceRequest.objects.filter(state=State.NEW, state_changed_at__lt=since)
        .order_by("state_changed_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(enqueue("routing.route_request", request_id=pk) for pk in stuck)


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
