"""Who may move a problem record (deny by default) and the conditions of its transitions."""

from apps.accounts.actors import Actor, Role


def for_owner(problem, actor) -> bool:
    """Its owner, the leads of its department, or a supervisor (agents only)."""
    if not isinstance(actor, Actor) or actor.role != Role.AGENT:
        return False
    if actor.is_supervisor or (problem.owner_id and problem.owner_id == actor.user_id):
        return True
    return problem.department_id is not None and actor.leads(problem.department_id)


def may_create(actor) -> bool:
    """Department leads and supervisors open problem records."""
    return (
        isinstance(actor, Actor)
        and actor.role == Role.AGENT
        and (actor.is_supervisor or bool(actor.led_department_ids))
    )


def has_action(problem) -> bool:
    """An action is planned once the root cause and the corrective action are written down."""
    return bool(problem.root_cause.strip() and problem.corrective_action.strip())


def has_measure(problem) -> bool:
    """Verified only when the before/after test showed the indicator improved."""
    return bool(problem.verification.get("improved"))
