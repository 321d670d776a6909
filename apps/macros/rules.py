"""Who sees and who manages which macros: personal ones their owner, a department's its agents
(to use) and its leads or holders of `manage_department_macros` (to change)."""

from django.db.models import Q

from apps.accounts.actors import Actor, Role
from apps.macros.models import Macro

MANAGE_PERMISSION = "macros.manage_department_macros"


def visible_q(actor: Actor) -> Q:
    """The macros an agent may see and use: their own and their departments' (a supervisor:
    every department's). Nothing for anyone else."""
    if actor.role != Role.AGENT or actor.user is None:
        return Q(pk__in=[])
    if actor.is_supervisor:
        return Q(owner=actor.user) | Q(department__isnull=False)
    return Q(owner=actor.user) | Q(department__in=actor.department_ids | actor.led_department_ids)


def managed_department_ids(actor: Actor) -> frozenset[int] | None:
    """The departments whose shared macros the actor may change; None for every department."""
    if actor.role != Role.AGENT or actor.user is None:
        return frozenset()
    if actor.is_supervisor:
        return None
    managed = set(actor.led_department_ids)
    if actor.user.has_perm(MANAGE_PERMISSION):
        managed |= actor.department_ids
    return frozenset(managed)


def may_manage(actor: Actor, macro: Macro) -> bool:
    """Owners change their personal macros; leads (and holders of the permission, in their
    departments) a department's; supervisors every department's, never someone's personal."""
    if macro.department_id is None:
        return actor.user is not None and macro.owner_id == actor.user.pk
    managed = managed_department_ids(actor)
    return managed is None or macro.department_id in managed
