"""Which requests a figure covers: filters and groupings on the request, and group labels."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from apps.accounts.models import Agent, Department
from apps.core.errors import InvalidData
from apps.tickets.models import Category, ServiceRequest

# Filter and group names -> the request's field. Filters and groups read the request as it is
# now (its current department and assignee), so every figure of one request lands in one group.
FIELDS = {
    "department": "department_id",
    "agent": "assignee_id",
    "category": "category_id",
    "priority": "priority",
    "channel": "channel",
    "tier": "customer__tier",
}


def request_q(filters: dict | None, *, prefix: str = "") -> Q:
    """A Q on requests (or on a model reaching them through `prefix`, e.g. "request__") for
    filters like {"department": 3, "priority": [1, 2]}; None values are ignored."""
    q = Q()
    for name, value in (filters or {}).items():
        if value is None or value == "" or value == []:
            continue
        if name not in FIELDS:
            raise InvalidData(
                _("Unknown filter '%(name)s'.") % {"name": name},
                fields={name: _("One of %(names)s.") % {"names": ", ".join(FIELDS)}},
            )
        field = prefix + FIELDS[name]
        if isinstance(value, list | tuple | set | frozenset):
            q &= Q(**{f"{field}__in": list(value)})
        else:
            q &= Q(**{field: value})
    return q


def requests_submitted(start, end, filters: dict | None) -> QuerySet:
    """Requests submitted in [start, end) (either end may be None) that match `filters`."""
    requests = ServiceRequest.objects.filter(request_q(filters))
    if start is not None:
        requests = requests.filter(created_at__gte=start)
    if end is not None:
        requests = requests.filter(created_at__lt=end)
    return requests


def group_field(group_by: str | None, *, prefix: str = "") -> str | None:
    if group_by is None:
        return None
    if group_by not in FIELDS:
        raise InvalidData(
            _("Unknown grouping '%(name)s'.") % {"name": group_by},
            fields={"group_by": _("One of %(names)s.") % {"names": ", ".join(FIELDS)}},
        )
    return prefix + FIELDS[group_by]


def labels(group_by: str | None, keys: Iterable) -> dict:
    """Readable names of group keys (department and category names, agents' usernames)."""
    keys = [k for k in keys if k is not None]
    if group_by == "department":
        return dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "category":
        return dict(Category.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "agent":
        return dict(Agent.objects.filter(pk__in=keys).values_list("pk", "user__username"))
    return {k: str(k) for k in keys}
