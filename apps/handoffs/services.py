"""Writes: requesting a handoff and running its transitions, each in one transaction with its
event-log rows (through the request's door) and its after-commit announcement."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.actors import SYSTEM, Actor
from apps.accounts.models import Department
from apps.core.door import Refusals, check_transition, claim_version
from apps.core.errors import Conflict, Forbidden, InvalidData, NotAllowed
from apps.handoffs import bouncing, ola
from apps.handoffs.events import iso, log_step
from apps.handoffs.models import Handoff, HandoffKind, HandoffState, OLAClockKind
from apps.handoffs.rules import works_for
from apps.lifecycle.states import OWNED
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.transition_data import TransferData


def do_request_handoff(
    service_request: ServiceRequest,
    *,
    actor: Actor,
    kind: str,
    to_department: Department,
    reason: str,
) -> Handoff:
    """Ask `to_department` to take over (transfer) or to help with (consult) the request.

    Writes: the handoff, its acceptance OLA clock (when its policy sets one) and a `handoff`
    event (step `requested`). Enqueues: `handoff_changed` after commit (the handoffs worker
    notifies the target department). Raises: Forbidden unless the actor works in the request's
    department; NotAllowed unless the request is owned and open, or when the same handoff is
    already open; InvalidData for an unknown kind, the request's own department or no reason.
    """
    if kind not in HandoffKind.values:
        raise InvalidData(_("Unknown kind of handoff."), fields={"kind": _("transfer or consult.")})
    if not (reason or "").strip():
        raise InvalidData(
            _("Say why you hand the request over."), fields={"reason": _("Required.")}
        )
    with transaction.atomic():
        request = _lock_request(service_request.pk)
        if not works_for(actor, request.department_id):
            raise Forbidden(
                _("Only %(department)s hands over %(request)s.")
                % {"department": request.department or _("its department"), "request": request}
            )
        if request.state not in OWNED:
            raise NotAllowed(
                _(
                    "%(request)s is %(state)s: only requests a department is working on are "
                    "handed over."
                )
                % {"request": request.reference, "state": request.state},
                state=request.state,
            )
        if to_department.pk == request.department_id:
            raise InvalidData(
                _("The request is already in that department."),
                fields={"to_department": _("The request's own department.")},
            )
        _refuse_duplicate(request, kind, to_department)
        at = timezone.now()
        try:
            with transaction.atomic():
                handoff = Handoff.objects.create(
                    request=request,
                    kind=kind,
                    from_department_id=request.department_id,
                    to_department=to_department,
                    reason=reason.strip(),
                    requested_by=actor.user,
                    requested_at=at,
                    policy=ola.match_policy(request.department_id, to_department.pk),
                )
        except IntegrityError:
            raise Conflict(_("The same handoff was requested a moment ago; reload.")) from None
        handoff.expires_at = ola.expiry_at(handoff, at)
        handoff.save(update_fields=["expires_at"])
        clock = ola.start_clock(handoff, OLAClockKind.ACCEPTANCE, at)
        log_step(
            handoff,
            "requested",
            actor=actor,
            reason=handoff.reason,
            due_at=iso(clock.deadline) if clock else None,
            expires_at=iso(handoff.expires_at),
        )
    return handoff


def do_accept_handoff(
    handoff: Handoff, *, actor: Actor, expected_version: int | None = None
) -> Handoff:
    """Accept a handoff addressed to the actor's department.

    A transfer moves the request: the request's `transfer` transition (run by the system on
    the acceptor's behalf, the handoff named in its payload) queues it in the new department,
    whose routing assigns it; the customer-facing SLA clocks keep running. A consult starts
    its completion OLA clock. Writes: the handoff, its clocks, a `handoff` event (step
    `accepted`; `ola_breach` first if accepted late; `bounced` after a bouncing transfer).
    Enqueues: `handoff_changed`, and the request's `request_transitioned` for a transfer.
    Raises: Conflict if the handoff changed since `expected_version`; NotAllowed if it is not
    waiting for acceptance or the request can no longer move; Forbidden for other departments.
    """
    with transaction.atomic():
        handoff, at = _begin(handoff, "accept", actor, expected_version)
        handoff.accept(at=at, by=actor.user)
        handoff.save()
        late = ola.stop_clocks(handoff, at, kind=OLAClockKind.ACCEPTANCE)
        _log_late(handoff, late)
        if handoff.kind == HandoffKind.TRANSFER:
            _move_request(handoff, actor)
        log_step(handoff, "accepted", actor=actor)
        if handoff.kind == HandoffKind.CONSULT:
            ola.start_clock(handoff, OLAClockKind.COMPLETION, at)
        else:
            _flag_bounce(handoff)
    return handoff


def do_decline_handoff(
    handoff: Handoff, *, actor: Actor, reason: str, expected_version: int | None = None
) -> Handoff:
    """Decline a handoff addressed to the actor's department; the request stays where it is.

    Writes: the handoff (closed, with the reason), its stopped clocks, a `handoff` event (step
    `declined`). Enqueues: `handoff_changed`. Raises: InvalidData without a reason; Conflict,
    NotAllowed and Forbidden as `do_accept_handoff`.
    """
    return _close(handoff, "decline", actor, reason, expected_version, required=True)


def do_complete_handoff(
    handoff: Handoff, *, actor: Actor, result: str, expected_version: int | None = None
) -> Handoff:
    """Complete an accepted consult with its result note, which the owning department sees.

    Writes: the handoff (result, closed), its stopped completion clock, a `handoff` event
    (step `completed`). Enqueues: `handoff_changed` (the owner is notified with the result).
    Raises: InvalidData without a result; NotAllowed for a transfer or a consult not accepted;
    Conflict and Forbidden as `do_accept_handoff`.
    """
    if not (result or "").strip():
        raise InvalidData(
            _("A consult completes with its result."), fields={"result": _("Required.")}
        )
    with transaction.atomic():
        handoff, at = _begin(handoff, "complete", actor, expected_version)
        handoff.complete(at=at, by=actor.user, result=result.strip())
        handoff.save()
        _log_late(handoff, ola.stop_clocks(handoff, at))
        log_step(handoff, "completed", actor=actor)
    return handoff


def do_cancel_handoff(
    handoff: Handoff, *, actor: Actor, reason: str = "", expected_version: int | None = None
) -> Handoff:
    """Withdraw a handoff the actor's department sent (a pending one, or an open consult).

    Writes: the handoff (closed), its stopped clocks, a `handoff` event (step `cancelled`).
    Enqueues: `handoff_changed`. Raises: NotAllowed for an accepted transfer or a closed
    handoff; Conflict and Forbidden as `do_accept_handoff`.
    """
    return _close(handoff, "cancel", actor, reason, expected_version)


def do_expire_handoff(handoff: Handoff, *, expected_version: int | None = None) -> Handoff:
    """Expire a handoff nobody accepted in time: it returns to the sender, the request stays.

    Writes: the handoff (closed), its stopped clocks, a `handoff` event (step `expired`).
    Enqueues: `handoff_changed` (the sender is told). Raises: NotAllowed unless still waiting
    for acceptance; Conflict as `do_accept_handoff`.
    """
    return _close(handoff, "expire", SYSTEM, "not accepted in time", expected_version)


def cancel_open_handoffs(request: ServiceRequest, *, kinds: list[str], reason: str) -> int:
    """Cancel, as the system, the request's open handoffs of `kinds` (its department changed
    or it was resolved or cancelled); inside the caller's transaction, request locked."""
    open_ones = [
        h
        for h in Handoff.objects.filter(
            request=request, kind__in=kinds, state__in=["requested", "accepted"]
        )
        if h.is_open
    ]
    for handoff in open_ones:
        do_cancel_handoff(handoff, actor=SYSTEM, reason=reason)
    return len(open_ones)


# --- internals ---------------------------------------------------------------------------------


def _lock_request(pk: int) -> ServiceRequest:
    # The request first, then the handoff: the same order as the request's door (whose hooks
    # cancel handoffs), so the two never wait on each other in a circle.
    return services.lock_request(pk, "department").instance


def _begin(handoff: Handoff, name: str, actor: Actor, expected_version: int | None):
    """Lock the request, claim the handoff's version, check the transition; (handoff, now)."""
    expected = handoff.version if expected_version is None else expected_version
    _lock_request(handoff.request_id)
    fresh = claim_version(
        Handoff,
        handoff.pk,
        expected,
        related=("request", "from_department", "to_department__calendar", "policy"),
    )
    check_transition(
        fresh,
        name,
        actor,
        lambda: Refusals(
            not_possible=_(
                "'%(action)s' is not possible while %(handoff)s (%(kind)s) is %(state)s."
            )
            % {
                "action": name,
                "handoff": fresh.reference,
                "kind": fresh.kind,
                "state": fresh.state,
            },
            forbidden=_("%(handoff)s is addressed to %(department)s; you may not %(action)s it.")
            % {"handoff": fresh.reference, "department": fresh.to_department, "action": name},
        ),
    )
    return fresh, timezone.now()


# The log step each closing transition writes.
_CLOSED_STEP = {"decline": "declined", "cancel": "cancelled", "expire": "expired"}


def _close(handoff, name, actor, reason, expected_version, *, required=False) -> Handoff:
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidData(
            _("Say why you %(action)s the handoff.") % {"action": name},
            fields={"reason": _("Required.")},
        )
    with transaction.atomic():
        handoff, at = _begin(handoff, name, actor, expected_version)
        getattr(handoff, name)(at=at, by=actor.user, reason=reason)
        handoff.save()
        _log_late(handoff, ola.stop_clocks(handoff, at))
        log_step(handoff, _CLOSED_STEP[name], actor=actor, reason=reason)
    return handoff


def _refuse_duplicate(request: ServiceRequest, kind: str, to_department: Department) -> None:
    pending = Handoff.objects.filter(request=request, state=HandoffState.REQUESTED, kind=kind)
    if kind == HandoffKind.CONSULT:
        pending = Handoff.objects.filter(
            request=request,
            kind=kind,
            to_department=to_department,
            state__in=["requested", "accepted"],
        )
    existing = pending.select_related("to_department").first()
    if existing is not None:
        raise NotAllowed(
            _("%(handoff)s (%(kind)s to %(department)s) is still open on %(request)s.")
            % {
                "handoff": existing.reference,
                "kind": existing.kind,
                "department": existing.to_department,
                "request": request.reference,
            },
            state=request.state,
            handoff=existing.pk,
        )


def _move_request(handoff: Handoff, actor: Actor) -> None:
    request = ServiceRequest.objects.get(pk=handoff.request_id)
    services.transition(
        request,
        "transfer",
        actor=SYSTEM,
        reason=handoff.reason,
        explain={"handoff": handoff.pk, "accepted_by": actor.user_id},
        data=TransferData(department=handoff.to_department),
    )


def _flag_bounce(handoff: Handoff) -> None:
    bounce = bouncing.bounce_of(handoff.request_id)
    if bounce is None:
        return
    handoff.bounced = True
    handoff.save(update_fields=["bounced"])
    log_step(handoff, "bounced", actor=SYSTEM, **bounce)


def _log_late(handoff: Handoff, clocks) -> None:
    for clock in clocks:
        log_step(
            handoff,
            "ola_breach",
            actor=SYSTEM,
            target=clock.kind,
            due_at=iso(clock.deadline),
            found="at stop",
        )
