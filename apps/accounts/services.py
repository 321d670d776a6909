"""Writes on the organisation: an agent's availability (online, away, offline)."""

from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.actors import Actor, Role
from apps.accounts.models import Agent, Availability
from apps.accounts.signals import agent_availability_changed
from apps.core.door import announce_on_commit
from apps.core.errors import Forbidden, InvalidData


def do_set_availability(agent: Agent, availability: str, *, actor: Actor) -> Agent:
    """Set the agent's availability.

    Writes: the agent row. Enqueues: `agent_availability_changed` after commit (going online
    lets waiting requests be assigned; going away or offline requeues their unstarted work).
    Raises: Forbidden unless the actor is the agent, a lead of one of their departments, a
    superuser or the system; InvalidData for an unknown availability.
    """
    if availability not in Availability.values:
        raise InvalidData(
            _("Unknown availability."),
            fields={"availability": _("One of %(values)s.") % {"values": Availability.values}},
        )
    with transaction.atomic():
        locked = Agent.objects.select_for_update().get(pk=agent.pk)
        if not _may_set(locked, actor):
            raise Forbidden(_("You may set only your own availability."))
        previous = locked.availability
        if previous != availability:
            locked.availability = availability
            locked.save(update_fields=["availability"])
            announce_on_commit(
                agent_availability_changed,
                sender=Agent,
                agent_id=locked.pk,
                availability=availability,
                previous=previous,
            )
    return locked


def _may_set(agent: Agent, actor: Actor) -> bool:
    if actor.role == Role.SYSTEM or actor.is_supervisor or actor.agent_id == agent.pk:
        return True
    departments = set(agent.departments.values_list("pk", flat=True))
    return actor.role == Role.AGENT and bool(departments & actor.led_department_ids)
