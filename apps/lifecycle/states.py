"""The request's states and the groups of them the rules speak of."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    NEW = "new", _("New")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    BOT_ANSWERED = "bot_answered", _("Bot answered")
    QUEUED = "queued", _("Queued")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING_CUSTOMER = "pending_customer", _("Pending customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Before a department owns the request.
UNTRIAGED = [State.NEW, State.AWAITING_APPROVAL, State.BOT_ANSWERED]
# Work still to do: cancel and escalate apply here.
OPEN = [*UNTRIAGED, State.QUEUED, State.ASSIGNED, State.IN_PROGRESS, State.PENDING_CUSTOMER]
# Owned by a department and not yet resolved: transfer applies here.
OWNED = [State.QUEUED, State.ASSIGNED, State.IN_PROGRESS, State.PENDING_CUSTOMER]
TERMINAL = [State.CLOSED, State.CANCELLED]
# An assignee is working on it: what counts against an agent's capacity.
WORKING = (State.ASSIGNED, State.IN_PROGRESS, State.PENDING_CUSTOMER)
# The name the event log gives the creation of a request (from "" to `new`).
SUBMIT = "submit"


def state_label(code: str) -> str:
    """A state's name in the reader's language; an unknown code (an imported log's) as is."""
    return str(State(code).label) if code in State.values else code
