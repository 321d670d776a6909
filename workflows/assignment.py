"""Assigning queued requests to available agents, by the department's strategy; requeueing the
requests of an agent who goes offline."""

from django.db import transaction
from django.utils import timezone

from apps.accounts.actors import SYSTEM
from apps.accounts.models import Agent, AssignmentStrategy
from apps.core.errors import ServiceDeskError
from apps.routing.decisions import choose_agent
from apps.routing.selection import lock_candidates
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.states import State

NOTHING_TO_DO = "nothing to do"


def assign_request(request_id: int) -> str:
    """Assign a queued, unassigned request if an agent fits; return what happened.

    The department's online agents are locked (in id order) before their load is counted, so
    two workers assigning at once never both count a slot that only one of them may fill.
    """
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_related("department__calendar")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.state != State.QUEUED or request.assignee_id:
            return NOTHING_TO_DO
        department = request.department
        if department is None or department.assignment_strategy == AssignmentStrategy.MANUAL:
            return "manual"
        now = timezone.now()
        candidates, closed = lock_candidates(department, now)
        if closed:
            return closed
        choice = choose_agent(department.assignment_strategy, candidates, request.required_skills)
        if choice.agent_id is None:
            return choice.reason
        services.transition(
            request,
            "assign",
            actor=SYSTEM,
            assignee=choice.agent_id,
            reason=choice.reason,
            explain={
                "strategy": choice.strategy,
                "chosen": choice.agent_id,
                "candidates": choice.considered,
            },
        )
        Agent.objects.filter(pk=choice.agent_id).update(last_assigned_at=now)
        return f"assigned to agent {choice.agent_id}"


def assign_waiting(department_id: int, limit: int = 50) -> int:
    """Assign the department's most urgent, then oldest, waiting requests; return how many.

    A request that needs no skills and finds nobody ends the round (nobody has room); one that
    needs skills nobody free has, or that was taken meanwhile, does not hold back the rest.
    """
    waiting = (
        ServiceRequest.objects.filter(
            department_id=department_id, state=State.QUEUED, assignee__isnull=True
        )
        .order_by("priority", "state_changed_at")
        .values_list("pk", "required_skills")[:limit]
    )
    assigned = 0
    for request_id, required_skills in waiting:
        outcome = assign_request(request_id)
        if outcome.startswith("assigned"):
            assigned += 1
        elif outcome != NOTHING_TO_DO and not required_skills:
            break
    return assigned


def assign_freed_capacity(agent_id: int) -> int:
    """Assign waiting requests in every department of an agent whose request left work."""
    departments = Agent.objects.filter(pk=agent_id).values_list("departments", flat=True)
    return sum(assign_waiting(pk) for pk in departments if pk)


def requeue_offline_agent(agent_id: int) -> int:
    """Requeue the not-yet-started requests of an agent who went offline, in departments that
    want it; return how many."""
    agent = Agent.objects.filter(pk=agent_id).first()
    if agent is None or agent.availability == "online":
        return 0
    held = ServiceRequest.objects.filter(
        assignee_id=agent_id, state=State.ASSIGNED, department__rebalance_on_offline=True
    )
    requeued = 0
    for request in held:
        try:
            services.transition(
                request, "unassign", actor=SYSTEM, reason="the assignee went offline"
            )
        except ServiceDeskError:
            continue  # started or moved meanwhile: it stays where it is
        requeued += 1
    return requeued
