"""Routing new requests to a department by the routing rules (else the category's default
department, else the triage department) and assigning them, with each decision explained in the
event log."""

import logging

from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from apps.accounts.actors import SYSTEM
from apps.accounts.models import AssignmentStrategy
from apps.core.errors import ServiceDeskError
from apps.routing.selection import decide_route, get_department, lock_pool
from apps.tickets import services
from apps.tickets.states import State
from workflows.assignment import NOTHING_TO_DO, assign_from_pool

logger = logging.getLogger(__name__)


def route_request(request_id: int) -> str:
    """Route the request if it is still new, then assign it; return what was done (idempotent)."""
    return route_requests([request_id]).get(request_id, NOTHING_TO_DO)


def route_batch(request_ids: list[int]) -> dict[int, str]:
    """What the routing task runs on a batch of delivered messages: one transaction for the
    batch; if the database fails it (a deadlock, a dropped connection), each request again in
    its own. One that fails alone too stays new for the recovery sweep, logged."""
    try:
        return route_requests(request_ids)
    except (OperationalError, InterfaceError):
        logger.warning("routing a batch of %d failed; routing them one by one", len(request_ids))
        # A dropped connection stays broken in this process until closed (connections are
        # reused across tasks): the next query opens a new one.
        connection.close_if_unusable_or_obsolete()
    outcomes = {}
    for request_id in request_ids:
        try:
            outcomes.update(route_requests([request_id]))
        except (OperationalError, InterfaceError):
            logger.exception("request %s was not routed; the recovery sweep will", request_id)
            connection.close_if_unusable_or_obsolete()
            outcomes[request_id] = "failed"
    return outcomes


def route_requests(request_ids: list[int]) -> dict[int, str]:
    """Route and assign those of the requests still new, in one transaction; return what was
    done with each (idempotent).

    The requests are locked (in id order) and read once with their SLA clocks; each is routed
    through the door in a savepoint of its own (a request the door refuses stays new, logged,
    without holding back the rest); only then are the target departments' agents locked, once,
    and the routed requests assigned, so the agents' lock is held for the shortest time. A
    worker that dies leaves them all new, for the redelivered task or the recovery sweep.
    """
    outcomes: dict[int, str] = {}
    with transaction.atomic():
        now = timezone.now()
        routed = []
        for request in services.lock_requests(request_ids, "category", "customer"):
            outcome = _route(request, now)
            outcomes[request.pk] = outcome
            if outcome.startswith("routed"):
                routed.append(request)
        departments = {r.department_id: get_department(r.department_id) for r in routed}
        pool = lock_pool(
            [d for d in departments.values() if d.assignment_strategy != AssignmentStrategy.MANUAL],
            now,
        )
        for request in routed:
            outcomes[request.pk] += (
                f"; {_assign(request, departments[request.department_id], pool, now)}"
            )
        pool.save_last_assigned()
    return outcomes


def _route(request, now) -> str:
    if request.state != State.NEW:
        return NOTHING_TO_DO
    decision = decide_route(request, now)
    if decision.department is None:
        logger.warning("%s has no department to go to: set a triage department", request)
        return "no department"
    explain = decision.explain
    why = f"rule '{explain['rule']}'" if explain["rule"] else explain["department_from"]
    try:
        with transaction.atomic():
            services.transition(
                request,
                "route",
                actor=SYSTEM,
                department=decision.department,
                reason=f"routed by {why}",
                explain=explain,
                **decision.data,
            )
    except ServiceDeskError as error:
        logger.warning("%s was not routed: %s", request, error)
        return f"not routed: {error}"
    return f"routed to {decision.department.code}"


def _assign(request, department, pool, now) -> str:
    try:
        with transaction.atomic():
            return assign_from_pool(request, department, pool, now)
    except ServiceDeskError as error:
        logger.warning("%s was routed but not assigned: %s", request, error)
        return f"not assigned: {error}"
