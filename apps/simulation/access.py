"""Who may store scenarios and run PDCA cycles: department leads and supervisors."""

from apps.accounts.actors import Role, actor_for_user
from apps.core.errors import Forbidden


def leads(user) -> bool:
    """The user acts as an agent who leads a department, or as a supervisor."""
    if user is None:
        return False
    try:
        actor = actor_for_user(user)
    except Forbidden:
        return False
    return actor.role == Role.AGENT and (actor.is_supervisor or bool(actor.led_department_ids))
