"""Filters for request lists: state, priority, dates, department, assignee, text search."""

from datetime import UTC

import django_filters
from django import forms
from django.db.models import Q
from django_filters.fields import IsoDateTimeField

from apps.api.filters import StrictBooleanFilter, id_filter
from apps.lifecycle.priority import Priority
from apps.lifecycle.reference import parse_reference
from apps.lifecycle.states import State
from apps.tickets.models import ServiceRequest


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, in UTC: PostgreSQL takes offsets up to 15:59 only, and an instant
    that falls outside years 1-9999 in UTC is refused here rather than by the database."""

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return value.astimezone(UTC) if value is not None else None
        except OverflowError:
            raise forms.ValidationError("Out of range.", code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class RequestFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")
    q = django_filters.CharFilter(
        method="search", max_length=200, label="Text in the reference, subject or description"
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("created_at", "created_at"),
            ("priority", "priority"),
            ("state_changed_at", "state_changed_at"),
        ),
    )

    class Meta:
        model = ServiceRequest
        fields = ["state", "priority", "created_after", "created_before", "q"]

    def search(self, queryset, name, value):
        text = Q(subject__icontains=value) | Q(description__icontains=value)
        pk = parse_reference(value)
        if pk is not None and pk < 2**63:
            text |= Q(pk=pk)
        return queryset.filter(text)


class QueueFilter(RequestFilter):
    department = id_filter("department_id")
    assignee = django_filters.CharFilter(method="by_assignee", label="An agent id, `me`, or `none`")
    unassigned = StrictBooleanFilter(field_name="assignee", lookup_expr="isnull")

    class Meta(RequestFilter.Meta):
        fields = [*RequestFilter.Meta.fields, "department", "assignee", "unassigned"]

    def by_assignee(self, queryset, name, value):
        if value == "me":
            agent_id = self.request.actor.agent_id
            return queryset.filter(assignee_id=agent_id) if agent_id else queryset.none()
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value.isdigit() and int(value) < 2**63:
            return queryset.filter(assignee_id=int(value))
        return queryset.none()
