"""Which requests a signed-in admin user may see: the admin's only department scope."""

from django.db.models import Q

from apps.accounts.models import Department


def agent_departments(user):
    """The departments whose work the user does: member or lead of (superusers: all)."""
    if user.is_superuser:
        return Department.objects.all()
    return Department.objects.filter(Q(agents__user=user) | Q(leads=user)).distinct()


def visible_requests_q(user, *, prefix: str = "") -> Q:
    """All for superusers; otherwise the requests of the departments the user works in or
    leads, and untriaged ones.

    The same rule as the API's selectors and the door: agents reach their departments'
    requests and untriaged ones; a lead also sees the departments they lead. `prefix`
    reaches the request from another model (for example "request__" from the event log).
    """
    if user.is_superuser:
        return Q()
    departments = agent_departments(user).values("pk")
    return Q(**{f"{prefix}department__in": departments}) | Q(
        **{f"{prefix}department__isnull": True}
    )
