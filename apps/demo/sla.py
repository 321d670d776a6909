"""The demo's SLA set-up: an office-hours calendar, escalation steps and four policies."""

from datetime import time

from django.utils import timezone

from apps.sla.calendars import default_calendar, do_import_holidays
from apps.sla.models import (
    BusinessCalendar,
    EscalationPolicy,
    EscalationStep,
    SLAPolicy,
    WorkingHours,
)


def build_sla() -> dict[str, int]:
    """Create the demo SLA data (before any request, so every demo request gets clocks)."""
    office = BusinessCalendar.objects.create(
        name="Office hours (Berlin)", time_zone="Europe/Berlin"
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=office, weekday=day, start=start, end=end)
        for day in range(5)
        for start, end in ((time(8), time(12)), (time(13), time(18)))
    )
    year = timezone.now().year
    do_import_holidays(calendar=office, country="DE", subdiv="BE", years=[year, year + 1])
    escalation = EscalationPolicy.objects.create(name="Standard escalation")
    EscalationStep.objects.bulk_create(
        [
            EscalationStep(policy=escalation, at_percent=75, notify_assignee=True),
            EscalationStep(policy=escalation, at_percent=100, notify_lead=True, raise_level=True),
            EscalationStep(policy=escalation, at_percent=150, raise_priority=True),
            EscalationStep(policy=escalation, on_manual=True, notify_lead=True),
        ]
    )
    around_the_clock = default_calendar()
    policies = [
        ("Critical (P1)", 10, {"priorities": [1]}, (30, 240, 60), around_the_clock),
        ("Platinum customers", 20, {"customer_tiers": ["platinum"]}, (60, 480, 120), office),
        ("High (P2)", 30, {"priorities": [2]}, (60, 480, 240), office),
        ("Standard", 100, {}, (240, 1440, 480), office),
    ]
    for name, order, conditions, (first, resolution, nxt), calendar in policies:
        SLAPolicy.objects.create(
            name=name,
            order=order,
            first_response_minutes=first,
            resolution_minutes=resolution,
            next_response_minutes=nxt,
            calendar=calendar,
            escalation_policy=escalation,
            **conditions,
        )
    return {"sla_policies": len(policies)}
