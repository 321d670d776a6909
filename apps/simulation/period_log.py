"""The event log of the requests submitted in a period, as discovery and validation read it."""

from datetime import datetime

from django.db.models import QuerySet

from apps.eventlog.models import Event, EventKind

# What a pass over the steps reads first: whose step, which transition, between which states,
# with which department, when.
STEP_FIELDS = ("request_id", "transition", "from_state", "to_state", "department_id", "at")


def period_transitions(start: datetime, end: datetime, *fields: str, **where) -> QuerySet:
    """The transitions of the requests submitted in [start, end) (`where`: more conditions),
    in log order (request by request, each in its sequence), as tuples of `fields`."""
    return (
        Event.objects.filter(
            kind=EventKind.TRANSITION,
            request__created_at__gte=start,
            request__created_at__lt=end,
            **where,
        )
        .order_by("request_id", "seq")
        .values_list(*fields)
    )
