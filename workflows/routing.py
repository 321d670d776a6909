"""Routing new requests to a department by the routing rules (else the category's default
department, else the triage department) and assigning them, with each decision explained in the
event log."""

import logging

from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from apps.accounts.actors import SYSTEM
from apps.accounts.models import AssignmentStrategy
from apps.core.errors import ServiceDeskError
from apps.lifecycle.states import State
from apps.routing.selection import decide_route, get_department, lock_pool
from apps.tickets import services
from apps.tickets.transition_data import RequireApprovalData, RouteData
from workflows.assignment import NOTHING_TO_DO, assign_from_pool

logger = logging.getLogger(__name__)
RELATED = ("category", "customer")  # what deciding a route reads of each request


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

    The requests are locked (in id order) and read once with their SLA clocks, and routed
    through the door; only then are the target departments' agents locked, once, and the
    routed requests assigned, so the agents' lock is held for the shortest time. Each phase
    runs in one savepoint; if the door refuses a request, the phase is undone and run again
    with each request in a savepoint of its own, on fresh reads (a request the door will not
    route stays new, one it will not assign waits queued, logged, without holding back the
    rest). A worker that dies leaves them all new, for the redelivered task or the recovery
    sweep.
    """
    outcomes: dict[int, str] = {}
    with transaction.atomic():
        now = timezone.now()
        requests = services.lock_requests(request_ids, *RELATED)
        routed = _route_all(requests, now, outcomes)
        departments = {r.department_id: get_department(r.department_id) for r in routed}
        automatic = [
            d for d in departments.values() if d.assignment_strategy != AssignmentStrategy.MANUAL
        ]
        pool = _assign_all(routed, departments, automatic, now, outcomes)
        pool.save_last_assigned()
    return outcomes


def _route_all(requests, now, outcomes: dict) -> list:
    """Route each request still new; return the routed ones. One savepoint for them all (a
    savepoint per request cost two more round trips each, a fifth of the statements)."""
    decided = []
    for request in requests:
        decision = _decide(request, now)
        if isinstance(decision, str):
            outcomes[request.pk] = decision
        else:
            decided.append((request, decision))
    if not decided:
        return []
    try:
        with transaction.atomic():
            for request, decision in decided:
                _route(request, decision)
    except ServiceDeskError:
        return _route_each(decided, outcomes)
    for request, decision in decided:
        outcomes[request.pk] = f"routed to {decision.department.code}"
    return [request for request, _ in decided]


def _route_each(decided: list, outcomes: dict) -> list:
    """After a refusal undid the phase: each request on a fresh read, in a savepoint of its own."""
    fresh = {r.pk: r for r in services.lock_requests([r.pk for r, _ in decided], *RELATED)}
    routed = []
    for request, decision in decided:
        request = fresh[request.pk]
        try:
            with transaction.atomic():
                _route(request, decision)
        except ServiceDeskError as error:
            logger.warning("%s was not routed: %s", request, error)
            outcomes[request.pk] = f"not routed: {error}"
            continue
        outcomes[request.pk] = f"routed to {decision.department.code}"
        routed.append(request)
    return routed


def _assign_all(routed: list, departments: dict, automatic: list, now, outcomes: dict):
    """Assign the routed requests from their departments' locked agents, in one savepoint; after
    a refusal, each on a fresh read and a fresh pool, in a savepoint of its own. Returns the
    pool."""
    pool = lock_pool(automatic, now)
    try:
        with transaction.atomic():
            assigned = {
                r.pk: assign_from_pool(r, departments[r.department_id], pool, now) for r in routed
            }
    except ServiceDeskError:
        fresh = services.lock_requests([r.pk for r in routed], *RELATED)
        pool = lock_pool(automatic, now)
        assigned = {r.pk: _assign(r, departments[r.department_id], pool, now) for r in fresh}
    for pk, outcome in assigned.items():
        outcomes[pk] += f"; {outcome}"
    return pool


def _decide(request, now):
    """The request's routing decision, or what was done instead (a string): a request whose
    rule or category asks for approval, not yet approved, waits for its approvers first."""
    if request.state != State.NEW:
        return NOTHING_TO_DO
    decision = decide_route(request, now)
    if decision.approval is not None:
        return _require_approval(request, decision.approval)
    if decision.department is None:
        logger.warning("%s has no department to go to: set a triage department", request)
        return "no department"
    return decision


def _require_approval(request, approval) -> str:
    """Send the request for approval through the door, in a savepoint of its own (a refusal
    leaves it new, logged, without holding back the batch)."""
    try:
        with transaction.atomic():
            services.transition(
                request,
                "require_approval",
                actor=SYSTEM,
                reason=approval.reason,
                explain=approval.explain,
                data=RequireApprovalData(
                    approval_department=approval.department, approval_group=approval.group_id
                ),
            )
    except ServiceDeskError as error:
        logger.warning("%s was not sent for approval: %s", request, error)
        return f"not sent for approval: {error}"
    return f"awaiting approval ({approval.by} '{approval.name}')"


def _route(request, decision) -> None:
    explain = decision.explain
    why = f"rule '{explain['rule']}'" if explain["rule"] else explain["department_from"]
    services.transition(
        request,
        "route",
        actor=SYSTEM,
        reason=f"routed by {why}",
        explain=explain,
        data=RouteData(department=decision.department, **decision.data),
    )


def _assign(request, department, pool, now) -> str:
    try:
        with transaction.atomic():
            return assign_from_pool(request, department, pool, now)
    except ServiceDeskError as error:
        logger.warning("%s was routed but not assigned: %s", request, error)
        return f"not assigned: {error}"
