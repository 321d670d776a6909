"""Customer feedback (CSAT) on a resolved request: given once, logged as an event."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.accounts.actors import Actor, Role
from apps.core.errors import Forbidden, InvalidData, NotAllowed
from apps.eventlog.models import EventKind
from apps.lifecycle.reference import format_reference
from apps.lifecycle.states import State
from apps.tickets.models import Feedback
from apps.tickets.services import append_event

RATEABLE = (State.RESOLVED, State.CLOSED)


def do_give_feedback(request, *, actor: Actor, rating: int, comment: str = "") -> Feedback:
    """Record the customer's rating (1-5) and comment on their resolved or closed request.

    Writes: the feedback row and a `feedback` event. Raises: Forbidden unless the actor is
    the request's customer; InvalidData for a rating outside 1-5; NotAllowed before the
    request is resolved, for a duplicate merged into another (its work was done there), or
    when feedback was already given.
    """
    if actor.role != Role.CUSTOMER or request.customer_id != actor.customer_id:
        raise Forbidden(_("Only the request's customer rates it."))
    if not 1 <= int(rating) <= 5:
        raise InvalidData(_("The rating is 1 to 5."), fields={"rating": _("1 to 5.")})
    if request.merged_into_id is not None:
        raise NotAllowed(
            _("%(request)s was merged into %(target)s: rate that one once it is resolved.")
            % {"request": request.reference, "target": format_reference(request.merged_into_id)},
            state=request.state,
            allowed=[],
        )
    if request.state not in RATEABLE:
        raise NotAllowed(
            _("%(request)s can be rated once it is resolved.") % {"request": request.reference},
            state=request.state,
            allowed=[],
        )
    try:
        with transaction.atomic():
            event = append_event(
                request, kind=EventKind.FEEDBACK, actor=actor, payload={"rating": int(rating)}
            )
            return Feedback.objects.create(
                request=request, rating=rating, comment=comment, created_at=event.at
            )
    except IntegrityError:
        raise NotAllowed(
            _("%(request)s has been rated already.") % {"request": request.reference},
            state=request.state,
            allowed=[],
        ) from None
