"""The SLA sweep: record each warning, breach and escalation threshold of due clocks once."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.accounts.actors import SYSTEM
from apps.notifications.services import do_publish_event
from apps.sla import timers
from apps.sla.models import ClockState, SLAClock
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from workflows import escalation


def sweep_due_clocks(*, now: datetime | None = None, batch: int = 500) -> int:
    """Record what is due; return how many thresholds were recorded.

    One indexed range query finds running clocks whose next threshold has passed, so the cost
    follows the number of due clocks, not of open requests. Each request is handled in its own
    transaction under a row lock taken with SKIP LOCKED: several sweepers share the work, and a
    request a transition holds right now is left for the next sweep. A threshold is recorded
    only if it is above the clock's `percent_recorded`, which makes the sweep idempotent.
    """
    now = now or timezone.now()
    due = (
        SLAClock.objects.filter(state=ClockState.RUNNING, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("request_id", flat=True)[:batch]
    )
    return sum(_sweep_request(request_id, now) for request_id in dict.fromkeys(due))


def _sweep_request(request_id: int, now: datetime) -> int:
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_for_update(skip_locked=True).filter(pk=request_id).first()
        )
        if request is None:
            return 0
        recorded, todo = 0, []
        for clock in timers.clocks_of(request):
            if (
                clock.state == ClockState.RUNNING
                and clock.next_check_at
                and (clock.next_check_at <= now)
            ):
                passed = _record_thresholds(request, clock, now)
                recorded += len(passed)
                todo += [(clock, percent) for percent in passed]
        for clock, percent in todo:
            steps = escalation.steps_at(clock.policy, percent=percent, clock_kind=clock.kind)
            if not steps:
                continue
            request = escalation.run_steps(
                ServiceRequest.objects.get(pk=request.pk),
                steps,
                trigger={"clock": clock.kind, "percent": percent},
                reason=f"{clock.get_kind_display()} at {percent}% of its target",
            )
        return recorded


def _record_thresholds(request, clock: SLAClock, now: datetime) -> list[int]:
    """Log each threshold the clock has passed by `now`; return their percents."""
    schedule = timers.schedule_of(clock.policy)
    passed = []
    for percent in clock.thresholds():
        if percent <= clock.percent_recorded:
            continue
        if clock.instant_of(schedule, percent) > now:
            break
        clock.percent_recorded = percent
        passed.append(percent)
        kind = _kind_of(clock, percent)
        if kind:
            setattr(clock, "warned_at" if kind == "sla_warning" else "breached_at", now)
            payload = {
                "clock": clock.kind,
                "percent": percent,
                "policy": clock.policy.name,
                "deadline": clock.deadline.isoformat() if clock.deadline else None,
            }
            services.append_event(request, kind=kind, actor=SYSTEM, payload=payload)
            do_publish_event(kind=kind, payload={**payload, "request": request.reference})
    clock.plan(schedule)
    clock.save(
        update_fields=["percent_recorded", "warned_at", "breached_at", "deadline", "next_check_at"]
    )
    return passed


def _kind_of(clock: SLAClock, percent: int) -> str | None:
    if percent == 100 and clock.breached_at is None:
        return "sla_breach"
    if percent == clock.policy.warning_percent and clock.warned_at is None:
        return "sla_warning"
    return None


def apply_manual_escalation(request_id: int, *, event_seq: int) -> bool:
    """Run the policy's manual steps for the escalation logged as `event_seq`, once."""
    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().filter(pk=request_id).first()
        if (
            request is None
            or request.events.filter(kind="escalation", payload__source_seq=event_seq).exists()
        ):
            return False
        clocks = timers.clocks_of(request)
        policy = clocks[0].policy if clocks else timers.match_policy(request)
        steps = escalation.steps_at(policy, percent=None)
        if not steps:
            return False
        escalation.run_steps(
            request,
            steps,
            trigger={"manual": True, "source_seq": event_seq},
            reason="escalated by hand",
        )
        return True
