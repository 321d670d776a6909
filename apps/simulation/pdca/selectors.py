"""Reads of PDCA cycles: the open ones (the dashboard) and a problem's (its page)."""

from django.db.models import F, QuerySet
from django.urls import reverse

from apps.simulation.models import CycleState, ImprovementCycle


def list_open_cycles(*, department_id: int | None = None) -> QuerySet[ImprovementCycle]:
    """Cycles not closed, the check due soonest first (plans without a change day last); with
    a department, the cycles of its problems."""
    cycles = ImprovementCycle.objects.exclude(state=CycleState.CLOSED).select_related(
        "problem", "owner"
    )
    if department_id:
        cycles = cycles.filter(problem__department_id=department_id)
    return cycles.order_by(F("check_due").asc(nulls_last=True), "pk")


def problem_cycle_links(problem) -> list[tuple[str, str]]:
    """(title and state, admin URL) of each cycle of `problem`, oldest first."""
    cycles = ImprovementCycle.objects.filter(problem=problem).order_by("planned_at", "pk")
    return [
        (
            f"{cycle.title} ({cycle.get_state_display()})",
            reverse("admin:simulation_improvementcycle_change", args=[cycle.pk]),
        )
        for cycle in cycles
    ]
