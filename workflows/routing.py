"""Routing a new request to a department by the routing rules (else its category's default
department, else the triage department), with the decision explained in the event log."""

import logging

from django.utils import timezone

from apps.accounts.actors import SYSTEM
from apps.routing.selection import decide_route
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.states import State
from workflows.assignment import assign_request

logger = logging.getLogger(__name__)


def route_request(request_id: int) -> str:
    """Route the request if it is still new; return what was done (idempotent)."""
    request = (
        ServiceRequest.objects.select_related("category__default_department", "customer")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.state != State.NEW:
        return "nothing to do"
    decision = decide_route(request, timezone.now())
    if decision.department is None:
        logger.warning("%s has no department to go to: set a triage department", request.reference)
        return "no department"
    why = (
        f"rule '{decision.explain['rule']}'"
        if decision.explain["rule"]
        else decision.explain["department_from"]
    )
    services.transition(
        request,
        "route",
        actor=SYSTEM,
        department=decision.department,
        reason=f"routed by {why}",
        explain=decision.explain,
        **decision.data,
    )
    # Assign in the same task: one broker round trip and one read of the request fewer.
    return f"routed to {decision.department.code}; {assign_request(request_id)}"
