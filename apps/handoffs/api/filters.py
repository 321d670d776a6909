"""Filters for handoff lists: state, kind, direction, bounced."""

import django_filters
from django.db.models import Q

from apps.api.filters import StrictBooleanFilter, id_filter
from apps.handoffs.models import Handoff, HandoffKind, HandoffState
from apps.lifecycle.reference import parse_reference


class HandoffFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=HandoffState.choices)
    kind = django_filters.ChoiceFilter(choices=HandoffKind.choices)
    bounced = StrictBooleanFilter()
    to_department = id_filter("to_department_id")
    from_department = id_filter("from_department_id")
    direction = django_filters.ChoiceFilter(
        choices=[("incoming", "incoming"), ("outgoing", "outgoing")],
        method="by_direction",
        label="incoming: to your departments; outgoing: from them",
    )
    request = django_filters.CharFilter(
        method="by_request", label="A request reference such as SR-000123"
    )

    class Meta:
        model = Handoff
        fields = ["state", "kind", "bounced", "to_department", "from_department"]

    def by_direction(self, queryset, name, value):
        actor = self.request.actor
        if actor.is_supervisor:
            return queryset
        field = "to_department__in" if value == "incoming" else "from_department__in"
        return queryset.filter(Q(**{field: actor.department_ids}))

    def by_request(self, queryset, name, value):
        pk = parse_reference(value)
        return queryset.filter(request_id=pk) if pk is not None else queryset.none()
