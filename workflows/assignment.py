"""Assigning queued requests to available agents, by the department's strategy; requeueing the
requests of an agent who goes offline."""

from django.db import transaction
from django.utils import timezone

from apps.accounts.actors import SYSTEM
from apps.accounts.models import Agent, AssignmentStrategy
from apps.core.errors import ServiceDeskError
from apps.lifecycle.states import State
from apps.routing.decisions import choose_agent
from apps.routing.selection import AgentPool, get_department, lock_pool
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.transition_data import AssignData

NOTHING_TO_DO = "nothing to do"


def assign_request(request_id: int) -> str:
    """Assign a queued, unassigned request if an agent fits; return what happened."""
    with transaction.atomic():
        request = services.lock_request(request_id)
        if request is None:
            return NOTHING_TO_DO
        return assign_locked(request)


def assign_locked(request) -> str:
    """Assign the request, which the caller has locked in its open transaction.

    The request's row is locked first, then the department's online agents (in id order)
    before their load is counted, so two workers assigning at once never both count a slot
    that only one of them may fill, and every assigner takes the locks in the same order.
    """
    if request.state != State.QUEUED or request.assignee_id:
        return NOTHING_TO_DO
    department = get_department(request.department_id)
    if department is None or department.assignment_strategy == AssignmentStrategy.MANUAL:
        return "manual"
    now = timezone.now()
    pool = lock_pool([department], now)
    outcome = assign_from_pool(request, department, pool, now)
    pool.save_last_assigned()
    return outcome


def assign_from_pool(request, department, pool: AgentPool, now) -> str:
    """Give the routed request to the agent its department's strategy picks from the pool."""
    if department.assignment_strategy == AssignmentStrategy.MANUAL:
        return "manual"
    if not pool.is_open(department.pk):
        return "outside the department's working hours"
    choice = choose_agent(
        department.assignment_strategy, pool.candidates(department.pk), request.required_skills
    )
    if choice.agent_id is None:
        return choice.reason
    services.transition(
        request,
        "assign",
        actor=SYSTEM,
        data=AssignData(assignee=pool.agent(choice.agent_id, department.pk)),
        reason=choice.reason,
        explain={
            "strategy": choice.strategy,
            "chosen": choice.agent_id,
            "candidates": choice.considered,
        },
    )
    pool.took(choice.agent_id, now)
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
