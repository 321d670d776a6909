"""Periodic sweeps: re-dispatch requests whose work was lost, close resolved ones after a while."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from apps.accounts.actors import SYSTEM
from apps.accounts.models import AssignmentStrategy
from apps.core.errors import ServiceDeskError
from apps.lifecycle.states import State
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from workflows.enqueue import enqueue


def redispatch_stuck_requests(limit: int = 500) -> int:
    """Send the work of stranded requests again (a task lost while the broker was down must not
    strand a request): routing for requests in `new` longer than SERVICEDESK_STUCK_NEW_SECONDS,
    in batches of ROUTE_BATCH ids a message; and one `routing.assign_waiting` per department that
    assigns automatically and has a request queued unassigned that long (not one task per
    waiting request: most of them wait for an agent's capacity, not for a lost task). What was
    sent is not sent again for SERVICEDESK_RECOVERY_RESEND_SECONDS. Returns the messages sent."""
    since = timezone.now() - timedelta(seconds=settings.SERVICEDESK_STUCK_NEW_SECONDS)
    waiting = ServiceRequest.objects.filter(state_changed_at__lt=since)
    new = waiting.filter(state=State.NEW).order_by("state_changed_at")
    departments = (
        waiting.filter(state=State.QUEUED, assignee__isnull=True)
        .exclude(department__assignment_strategy=AssignmentStrategy.MANUAL)
        .order_by()
        .values_list("department_id", flat=True)
        .distinct()
    )
    with transaction.atomic():
        # A request locked at this moment is being routed (or changed): it is not stranded.
        # Not waiting for it either: the sweep is never held up by the work it looks for.
        stuck = list(new.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
    route_ids = _not_sent_lately("route", stuck)
    sent = 0
    for start in range(0, len(route_ids), ROUTE_BATCH):
        batch = route_ids[start : start + ROUTE_BATCH]
        sent += _send_once("route", batch, "routing.route_request", request_ids=batch)
    for department_id in _not_sent_lately("assign", list(departments[:limit])):
        sent += _send_once(
            "assign", [department_id], "routing.assign_waiting", department_id=department_id
        )
    return sent


ROUTE_BATCH = 100


def _mark(kind: str, pk: int) -> str:
    return f"recovery:sent:{kind}:{pk}"


def _not_sent_lately(kind: str, pks: list[int]) -> list[int]:
    marked = cache.get_many([_mark(kind, pk) for pk in pks])
    return [pk for pk in pks if _mark(kind, pk) not in marked]


def _send_once(kind: str, pks: list[int], task_name: str, **kwargs) -> bool:
    if not enqueue(task_name, **kwargs):
        return False  # the next sweep tries again
    seconds = settings.SERVICEDESK_RECOVERY_RESEND_SECONDS
    cache.set_many({_mark(kind, pk): 1 for pk in pks}, timeout=seconds)
    return True


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
