"""Linking related requests and unlinking them, each logged on both requests; and reading them."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.actors import Actor, Role
from apps.core.errors import Forbidden, InvalidData, NotAllowed
from apps.eventlog.models import EventKind
from apps.tickets import door
from apps.tickets.door import LockedRequest
from apps.tickets.models import RequestLink, ServiceRequest
from apps.tickets.rules import can_reach

LINKED, UNLINKED = "linked", "unlinked"


def do_link_requests(
    service_request: ServiceRequest, *, to: ServiceRequest | int, actor: Actor
) -> RequestLink:
    """Mark two requests as related (symmetric), as an agent who reaches both.

    Writes: one `RequestLink` (lower id first) and a `link` event on each request (payload:
    action `linked`, the other request). Enqueues nothing. Raises: Forbidden unless an agent
    reaching both; InvalidData for itself or no such request; NotAllowed if already linked.
    """
    with transaction.atomic():
        first, second = _lock_pair(service_request, to, actor)
        low, high = sorted((first.instance, second.instance), key=lambda r: r.pk)
        if RequestLink.objects.filter(low=low, high=high).exists():
            raise NotAllowed(
                _("%(a)s and %(b)s are linked already.")
                % {"a": first.reference, "b": second.reference},
                state=first.state,
                allowed=[],
            )
        link = RequestLink.objects.create(
            low=low, high=high, created_by=actor.user, created_at=timezone.now()
        )
        _log_both(first, second, actor, LINKED)
    return link


def do_unlink_requests(
    service_request: ServiceRequest, *, to: ServiceRequest | int, actor: Actor
) -> None:
    """Remove the link between two requests, as an agent who reaches both.

    Writes: deletes the `RequestLink`; a `link` event on each request (action `unlinked`).
    Enqueues nothing. Raises: Forbidden unless an agent reaching both; InvalidData for itself
    or no such request; NotAllowed if they are not linked.
    """
    with transaction.atomic():
        first, second = _lock_pair(service_request, to, actor)
        low, high = sorted((first.pk, second.pk))
        deleted, _rows = RequestLink.objects.filter(low_id=low, high_id=high).delete()
        if not deleted:
            raise NotAllowed(
                _("%(a)s and %(b)s are not linked.")
                % {"a": first.reference, "b": second.reference},
                state=first.state,
                allowed=[],
            )
        _log_both(first, second, actor, UNLINKED)


def _lock_pair(
    service_request: ServiceRequest, to: ServiceRequest | int, actor: Actor
) -> tuple[LockedRequest, LockedRequest]:
    """Both requests locked in id order, the one named first first in the result."""
    if actor.role != Role.AGENT:
        raise Forbidden(_("Only agents link requests."))
    other_pk = to.pk if isinstance(to, ServiceRequest) else to
    if other_pk == service_request.pk:
        raise InvalidData(
            _("A request cannot be linked to itself."),
            fields={"to": _("Name another request.")},
        )
    first, second = door.lock_pair(service_request.pk, other_pk)
    if first is None or not can_reach(first.instance, actor):
        raise Forbidden(_("You may not link this request."))
    if second is None or not can_reach(second.instance, actor):
        raise InvalidData(
            _("No such request to link."),
            fields={"to": _("A request you can see, e.g. SR-000123.")},
        )
    return first, second


def _log_both(first: LockedRequest, second: LockedRequest, actor: Actor, action: str) -> None:
    """A `link` event on each request, naming the other (both locked by the caller)."""
    for this, other in ((first, second), (second, first)):
        door.append_event_locked(
            this.instance,
            kind=EventKind.LINK,
            actor=actor,
            payload={"action": action, "other": other.pk, "reference": other.reference},
        )


@dataclass(frozen=True)
class Related:
    """What the request page's panel shows about a request's relations."""

    links: list[ServiceRequest]
    merged_here: list[ServiceRequest]
    merged_into: ServiceRequest | None


def related_of(service_request: ServiceRequest) -> Related:
    """The linked requests (with `.link_id`), those merged into this one, and the one it was
    merged into; two queries, however many there are."""
    pk = service_request.pk
    rows = list(
        ServiceRequest.objects.filter(
            Q(pk__in=RequestLink.objects.filter(low_id=pk).values("high_id"))
            | Q(pk__in=RequestLink.objects.filter(high_id=pk).values("low_id"))
            | Q(merged_into_id=pk)
            | Q(pk=service_request.merged_into_id or 0)
        )
        .only("pk", "subject", "state", "merged_into_id")
        .order_by("pk")
    )
    linked = set(
        RequestLink.objects.filter(Q(low_id=pk) | Q(high_id=pk)).values_list("low_id", "high_id")
    )
    linked_pks = {a if b == pk else b for a, b in linked}
    return Related(
        links=[r for r in rows if r.pk in linked_pks],
        merged_here=[r for r in rows if r.merged_into_id == pk],
        merged_into=next((r for r in rows if r.pk == service_request.merged_into_id), None),
    )
