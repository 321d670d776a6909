"""The OLA sweep: record each handoff's OLA warning and breach once, escalate them to the
target department's leads, and expire handoffs nobody accepted in time."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.actors import SYSTEM
from apps.handoffs.events import iso, log_step
from apps.handoffs.models import Handoff, HandoffState, OLAClock
from apps.handoffs.notify import KIND_WORDS, webhook_payload
from apps.handoffs.services import do_expire_handoff
from apps.notifications.services import do_notify, do_publish_event
from apps.tickets.models import ServiceRequest


def sweep_due_handoffs(*, now: datetime | None = None, batch: int = 500) -> int:
    """Record what is due; return how many warnings, breaches and expiries were recorded.

    Two indexed range queries (running clocks past their next check, waiting handoffs past
    their expiry) keep the cost to the due work. Each handoff is handled in its own
    transaction under its request's row lock taken with SKIP LOCKED, so several sweepers share
    the work; `warned_at`, `breached_at` and the handoff's state make a second pass a no-op.
    """
    now = now or timezone.now()
    clocks = (
        OLAClock.objects.filter(stopped_at__isnull=True, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("handoff_id", flat=True)[:batch]
    )
    expiring = (
        Handoff.objects.filter(state=HandoffState.REQUESTED, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:batch]
    )
    return sum(_sweep_handoff(pk, now) for pk in dict.fromkeys([*clocks, *expiring]))


def _sweep_handoff(pk: int, now: datetime) -> int:
    with transaction.atomic():
        request_id = Handoff.objects.filter(pk=pk).values_list("request_id", flat=True).first()
        locked = ServiceRequest.objects.select_for_update(skip_locked=True).filter(pk=request_id)
        if request_id is None or locked.first() is None:
            return 0
        handoff = (
            Handoff.objects.select_for_update(of=("self",))
            .select_related("request", "to_department", "accepted_by")
            .get(pk=pk)
        )
        recorded = 0
        for clock in handoff.ola_clocks.filter(stopped_at__isnull=True, next_check_at__lte=now):
            recorded += _record(handoff, clock, now)
        expired = handoff.expires_at is not None and handoff.expires_at <= now
        if handoff.state == HandoffState.REQUESTED and expired:
            do_expire_handoff(handoff)
            recorded += 1
        return recorded


def _record(handoff: Handoff, clock: OLAClock, now: datetime) -> int:
    steps = []
    if clock.warned_at is None and clock.warn_at <= now:
        clock.warned_at = now
        steps.append("ola_warning")
    if clock.breached_at is None and clock.deadline <= now:
        clock.breached_at = now
        steps.append("ola_breach")
    clock.plan()
    clock.save(update_fields=["warned_at", "breached_at", "next_check_at"])
    for step in steps:
        details = {"target": clock.kind, "due_at": iso(clock.deadline)}
        log_step(handoff, step, actor=SYSTEM, **details)
        _escalate(handoff, step, details)
    return len(steps)


def _escalate(handoff: Handoff, step: str, details: dict) -> None:
    """Tell the target department's leads (and whoever accepted a consult) and webhooks."""
    recipients = list(handoff.to_department.leads.all())
    if handoff.accepted_by is not None:
        recipients.append(handoff.accepted_by)
    names = {
        "handoff": handoff.reference,
        "kind": KIND_WORDS.get(handoff.kind, handoff.kind),
        "request": handoff.request.reference,
        "target": details["target"],
    }

    def title() -> str:
        if step == "ola_warning":
            return _("%(handoff)s (%(kind)s, %(request)s): %(target)s due soon") % names
        return _("%(handoff)s (%(kind)s, %(request)s): %(target)s overdue") % names

    do_notify(
        recipients=recipients,
        kind=step,
        request=handoff.request,
        title=title,
        body=lambda: (
            f"{handoff.request.subject}\n\n" + _("Due %(due_at)s.") % {"due_at": details["due_at"]}
        ),
    )
    do_publish_event(kind="handoff", payload=webhook_payload(handoff, step, details))
