"""The API's permission vocabulary: who may call an endpoint at all, in the actor model's words.

Every endpoint's gate is one of these (besides DRF's `IsAuthenticated`, the default, and
`AllowAny`), so "who may call this" reads the same everywhere:

- `IsAgent`: the caller acts as an agent (`apps/accounts/actors.py`: a user with an agent
  profile, or a superuser, who acts as an agent of every department);
- `IsLead`: an agent who leads at least one department, or a supervisor;
- `IsSupervisor`: a supervisor (a superuser): every department is theirs;
- `IsStaff`: Django's staff status (DRF's `IsAdminUser`), which opens the admin and the
  cross-department reports; it is not a role of the desk and gives no power over requests.

They decide only whether the endpoint is the caller's (403, or 401 without credentials). Which
request, handoff or department the caller may reach stays with the selectors and services
(`Actor.works_in`, `Actor.leads`): 404 for what the caller may not see, 403 for what they see
but may not do. A view may name its refusal with `permission_message`; without it the class's
own message is used. The actor is resolved once per request and kept as `request.actor`.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, IsAdminUser

from apps.accounts.actors import Actor, Role, actor_for_user
from apps.core.errors import Forbidden


def actor_of(request) -> Actor:
    """The signed-in caller as an actor of the desk, resolved once per request; 403 with the
    reason for an account that is neither an agent nor a customer (or is inactive)."""
    actor = getattr(request, "actor", None)
    if actor is None:
        try:
            actor = actor_for_user(request.user)
        except Forbidden as error:
            raise PermissionDenied(error.message) from None
        request.actor = actor
    return actor


class _ActorPermission(BasePermission):
    """Admits an authenticated caller whose actor `admits`; anonymous callers get DRF's 401."""

    message = _("You do not have permission to perform this action.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401 to a caller without credentials
        if self.admits(actor_of(request)):
            return True
        self.message = getattr(view, "permission_message", None) or self.message
        return False

    def admits(self, actor: Actor) -> bool:
        raise NotImplementedError


class IsAgent(_ActorPermission):
    """Agents, and supervisors (who act as agents of every department)."""

    message = _("This is for agents.")

    def admits(self, actor: Actor) -> bool:
        return actor.role == Role.AGENT


class IsLead(_ActorPermission):
    """Agents who lead at least one department, and supervisors."""

    message = _("This is for department leads.")

    def admits(self, actor: Actor) -> bool:
        return actor.role == Role.AGENT and (actor.is_supervisor or bool(actor.led_department_ids))


class IsSupervisor(_ActorPermission):
    """Supervisors: superusers, who oversee every department."""

    message = _("This is for supervisors.")

    def admits(self, actor: Actor) -> bool:
        return actor.is_supervisor


class IsStaff(IsAdminUser):
    """Django staff status (exactly DRF's `IsAdminUser`): the cross-department reports. Not an
    actor check: a staff user who is neither agent nor customer passes, a non-staff lead not."""
