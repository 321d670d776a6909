"""OLA timing: which policy applies, the target department's calendar, starting and stopping
clocks. Business-time arithmetic is the SLA engine's (apps.sla.business_time)."""

from datetime import datetime

from django.db.models import F, Q

from apps.handoffs import conf
from apps.handoffs.models import Handoff, OLAClock, OLAClockKind, OLAPolicy
from apps.sla.business_time import Schedule, add_business_seconds
from apps.sla.timers import ALWAYS_OPEN


def match_policy(from_department_id: int, to_department_id: int) -> OLAPolicy | None:
    """The active policy for the pair, else the one for the target department alone."""
    candidates = OLAPolicy.objects.filter(active=True, to_department_id=to_department_id).filter(
        Q(from_department_id=from_department_id) | Q(from_department__isnull=True)
    )
    # The pair's own policy first.
    return candidates.order_by(F("from_department_id").asc(nulls_last=True)).first()


def schedule_of(handoff: Handoff) -> Schedule:
    """Business time is counted on the target department's calendar (24x7 without one)."""
    calendar = handoff.to_department.calendar
    return calendar.schedule() if calendar is not None else ALWAYS_OPEN


def target_seconds(policy: OLAPolicy | None, kind: str) -> int | None:
    if policy is None:
        return None
    minutes = (
        policy.acceptance_minutes if kind == OLAClockKind.ACCEPTANCE else policy.completion_minutes
    )
    return minutes * 60 if minutes else None


def expiry_at(handoff: Handoff, at: datetime) -> datetime:
    policy = handoff.policy
    minutes = policy.expire_after_minutes if policy and policy.expire_after_minutes else None
    return add_business_seconds(schedule_of(handoff), at, (minutes or conf.expiry_minutes()) * 60)


def start_clock(handoff: Handoff, kind: str, at: datetime) -> OLAClock | None:
    """Start the policy's `kind` clock, if the policy sets that target."""
    seconds = target_seconds(handoff.policy, kind)
    if not seconds:
        return None
    clock = OLAClock(handoff=handoff, kind=kind, target_seconds=seconds)
    clock.start(schedule_of(handoff), at, warning_percent=handoff.policy.warning_percent)
    clock.save()
    return clock


def stop_clocks(handoff: Handoff, at: datetime, *, kind: str | None = None) -> list[OLAClock]:
    """Stop the running clocks (of `kind`, or all); return those found overdue at the stop
    that the sweep had not yet recorded, so the caller logs their breach."""
    running = handoff.ola_clocks.filter(stopped_at__isnull=True)
    if kind is not None:
        running = running.filter(kind=kind)
    late = []
    for clock in running:
        clock.stopped_at = at
        if clock.breached_at is None and at > clock.deadline:
            clock.breached_at = at
            late.append(clock)
        clock.plan()
        clock.save(update_fields=["stopped_at", "breached_at", "next_check_at"])
    return late
