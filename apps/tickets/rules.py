"""Who may run a transition (deny by default) and the conditions that guard some of them."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from apps.accounts.actors import Actor, Role

# Transitions the customer is told the reason of: the door refuses them without one.
REASON_REQUIRED = frozenset({"reject"})


def can_reach(request, actor: Actor) -> bool:
    """Customers reach their own requests, agents their departments'; system and bot all."""
    if actor.role == Role.CUSTOMER:
        return actor.customer_id is not None and request.customer_id == actor.customer_id
    if actor.role == Role.AGENT:
        return actor.works_in(request.department_id)
    return actor.role in (Role.SYSTEM, Role.BOT)


def is_assignee_or_lead(request, actor: Actor) -> bool:
    """Agents act on work assigned to them unless they lead the department."""
    if actor.role != Role.AGENT:
        return True
    return (actor.agent_id is not None and actor.agent_id == request.assignee_id) or actor.leads(
        request.department_id
    )


def is_approver(request, actor: Actor) -> bool:
    """Approval belongs to the members of the request's approval group if it names one, else
    to the leads of its approval department (the request's department if none was named);
    supervisors approve everything."""
    if actor.role != Role.AGENT or actor.is_supervisor:
        return True
    if request.approval_group_id is not None:
        return request.approval_group_id in group_ids(actor.user)
    return actor.leads(request.approval_department_id or request.department_id)


def group_ids(user) -> frozenset[int]:
    """The ids of the user's groups, read once per user object (a page or an API list asks
    for every request awaiting approval)."""
    if user is None:
        return frozenset()
    cached = getattr(user, "_servicedesk_group_ids", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("pk", flat=True))
        user._servicedesk_group_ids = cached
    return cached


def may(*roles: str, check: Callable | None = None) -> Callable:
    """A django-fsm permission: actor has one of `roles`, reaches the request, passes `check`."""

    def permission(request, actor) -> bool:
        if not isinstance(actor, Actor) or actor.role not in roles:
            return False
        if not can_reach(request, actor):
            return False
        return check is None or check(request, actor)

    permission.roles = frozenset(roles)
    permission.check = check  # what else it reads (transition_table keys on it)
    return permission


def within_reopen_window(request) -> bool:
    """A resolved request reopens only for a while (SERVICEDESK_REOPEN_WINDOW_DAYS)."""
    if request.resolved_at is None:
        return False
    window = timedelta(days=settings.SERVICEDESK_REOPEN_WINDOW_DAYS)
    return timezone.now() <= request.resolved_at + window


def not_yet_approved(request) -> bool:
    return request.approved_at is None
