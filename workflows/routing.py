"""Routing a new request to a department (the category's, else the triage department).

Rules, strategies and assignment arrive with the routing issue; this is the floor they build on.
"""

import logging

from apps.accounts.actors import SYSTEM
from apps.accounts.models import Department
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.states import State

logger = logging.getLogger(__name__)


def choose_department(request: ServiceRequest) -> tuple[Department | None, str]:
    """The department for a request and why."""
    if request.category_id and request.category.default_department_id:
        return request.category.default_department, f"category '{request.category}'"
    triage = Department.objects.filter(is_triage=True).first()
    return triage, "triage department (no category default)"


def route_request(request_id: int) -> str:
    """Route the request if it is still new; return what was done (idempotent)."""
    request = (
        ServiceRequest.objects.select_related("category__default_department")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.state != State.NEW:
        return "nothing to do"
    department, why = choose_department(request)
    if department is None:
        logger.warning("%s has no department to go to: set a triage department", request.reference)
        return "no department"
    services.transition(
        request, "route", actor=SYSTEM, department=department, reason=f"routed by {why}"
    )
    return f"routed to {department.code}"
