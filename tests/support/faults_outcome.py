"""What a fault scenario left behind: each request routed and assigned exactly once, nothing
lost, the event log clean; the figures are printed and kept under test-artifacts/faults/."""

import json
import time
from collections import Counter
from pathlib import Path

from django.core.management import call_command

from apps.eventlog.models import Event, EventKind
from apps.lifecycle.reference import parse_reference
from apps.tickets.models import ServiceRequest
from tests.support.workers import wait_for

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults"


def wait_until_assigned(references, *, timeout: float = 90) -> float:
    """Poll until every request is assigned; return the seconds it took."""
    ids = {parse_reference(r) for r in references}
    started = time.monotonic()

    def all_assigned():
        return not ServiceRequest.objects.filter(pk__in=ids, assignee__isnull=True).exists()

    wait_for(all_assigned, timeout=timeout, every=0.25, what="every request to be assigned")
    return time.monotonic() - started


def assert_each_routed_and_assigned_once(references) -> dict:
    """Every request created is assigned, with exactly one route and one assign in its log;
    `check_event_log` replays clean. Returns the figures (routed, assigned, duplicates)."""
    ids = {parse_reference(r) for r in references}
    transitions = Counter(
        Event.objects.filter(
            request_id__in=ids, kind=EventKind.TRANSITION, transition__in=["route", "assign"]
        ).values_list("request_id", "transition")
    )
    routed = sum(1 for pk in ids if transitions[(pk, "route")] >= 1)
    assigned = sum(1 for pk in ids if transitions[(pk, "assign")] >= 1)
    duplicates = sum(n - 1 for n in transitions.values() if n > 1)
    states = Counter(ServiceRequest.objects.filter(pk__in=ids).values_list("state", flat=True))
    assert states == {"assigned": len(ids)}, states
    assert (routed, assigned, duplicates) == (len(ids), len(ids), 0), transitions
    call_command("check_event_log")
    return {"routed": routed, "assigned": assigned, "duplicates": duplicates}


def record(scenario: str, figures: dict) -> None:
    """Print the figures and keep them for docs/reliability.md."""
    print(f"\n{scenario}: {json.dumps(figures)}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{scenario}.json").write_text(json.dumps(figures, indent=2) + "\n")
