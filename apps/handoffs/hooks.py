"""What handoffs do inside the request's door: refuse resolving with an open consult, and close
handoffs a transition has made pointless."""

from django.utils.translation import gettext as _

from apps.core.errors import NotAllowed
from apps.handoffs.models import Handoff, HandoffKind, HandoffState
from apps.handoffs.services import cancel_open_handoffs
from apps.lifecycle.states import State

# The request no longer needs anyone's help once it is in one of these.
_FINISHED = frozenset({State.RESOLVED, State.CLOSED, State.CANCELLED})


def refuse_resolve_with_open_consult(request, name: str, actor) -> None:
    """A request is not resolved while another department is still working a consult on it."""
    if name != "resolve":
        return
    consult = (
        Handoff.objects.filter(
            request_id=request.pk,
            kind=HandoffKind.CONSULT,
            state__in=[HandoffState.REQUESTED, HandoffState.ACCEPTED],
        )
        .select_related("to_department")
        .order_by("pk")
        .first()
    )
    if consult is not None:
        raise NotAllowed(
            _(
                "Consult %(handoff)s with %(department)s is still open: it must be completed "
                "or cancelled before %(request)s is resolved."
            )
            % {
                "handoff": consult.reference,
                "department": consult.to_department,
                "request": request.reference,
            },
            state=request.state,
            allowed=[n for n in request.transitions_for(actor) if n != "resolve"],
            handoff=consult.pk,
        )


def close_pointless_handoffs(request, name: str, from_state: str, at) -> None:
    """A pending transfer is withdrawn when the request moves or finishes otherwise; every open
    handoff is withdrawn when the request is resolved, closed or cancelled."""
    if request.state in _FINISHED and from_state not in _FINISHED:
        cancel_open_handoffs(
            request,
            kinds=[HandoffKind.TRANSFER, HandoffKind.CONSULT],
            reason=f"request {request.state}",
        )
    elif name == "transfer":
        cancel_open_handoffs(
            request, kinds=[HandoffKind.TRANSFER], reason="request moved to another department"
        )
