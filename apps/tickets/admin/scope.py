"""Which requests a signed-in admin user may see: the admin's only department scope."""

from django.db.models import Q

from apps.accounts.models import Department


def visible_requests_q(user, *, prefix: str = "") -> Q:
    """All for superusers; otherwise the user's agent departments' requests and untriaged ones.

    Every admin user is Django staff, and the actor treats staff as reaching every department,
    so the admin itself must narrow what an agent sees. `prefix` reaches the request from
    another model (for example "request__" from the event log).
    """
    if user.is_superuser:
        return Q()
    departments = Department.objects.filter(agents__user=user).values("pk")
    return Q(**{f"{prefix}department__in": departments}) | Q(
        **{f"{prefix}department__isnull": True}
    )
