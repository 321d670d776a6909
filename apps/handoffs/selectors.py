"""Reads: the handoffs an agent may see and act on, with their relations loaded up front."""

from django.db.models import Prefetch, Q, QuerySet

from apps.accounts.actors import Actor, Role
from apps.handoffs.models import Handoff, HandoffKind, HandoffState, OLAClock

# Open for the department it is addressed to: waiting for acceptance, or a consult to work.
OPEN_Q = Q(state=HandoffState.REQUESTED) | Q(state=HandoffState.ACCEPTED, kind=HandoffKind.CONSULT)


def _handoffs() -> QuerySet[Handoff]:
    return Handoff.objects.select_related(
        "request__department",
        "from_department",
        "to_department",
        "requested_by",
        "accepted_by",
        "closed_by",
    ).prefetch_related(Prefetch("ola_clocks", queryset=OLAClock.objects.order_by("started_at")))


def list_handoffs_for(actor: Actor) -> QuerySet[Handoff]:
    """Agents: handoffs their departments sent or received, and those on requests their
    departments own now; superusers: all. Customers and everyone else: none (handoff notes
    are internal)."""
    if actor.role != Role.AGENT:
        return Handoff.objects.none()
    if actor.is_supervisor:
        return _handoffs()
    mine = actor.department_ids
    return _handoffs().filter(
        Q(from_department__in=mine) | Q(to_department__in=mine) | Q(request__department__in=mine)
    )


def list_inbox_for(actor: Actor, *, open_only: bool = True) -> QuerySet[Handoff]:
    """Handoffs addressed to the agent's departments (all departments for superusers)."""
    if actor.role != Role.AGENT:
        return Handoff.objects.none()
    inbox = _handoffs()
    if not actor.is_supervisor:
        inbox = inbox.filter(to_department__in=actor.department_ids)
    return inbox.filter(OPEN_Q) if open_only else inbox


def list_handoffs_of_request(actor: Actor, request) -> QuerySet[Handoff]:
    """The request's handoff history, oldest first, as far as the actor may see it."""
    return list_handoffs_for(actor).filter(request=request).order_by("requested_at", "pk")


def get_handoff_for(actor: Actor, pk) -> Handoff | None:
    try:
        return list_handoffs_for(actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None
