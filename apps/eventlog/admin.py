"""Admin: the event log, read-only, scoped to the requests the user may see."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.accounts.scope import visible_requests_q
from apps.core.admin import ReadOnlyAdminMixin
from apps.eventlog.models import Event
from apps.lifecycle.reference import ReferenceSearchMixin
from apps.lifecycle.states import state_label


@admin.register(Event)
class EventAdmin(ReferenceSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin[Event]):
    reference_lookup = "request_id"
    list_display = [
        "at",
        "request",
        "seq",
        "kind",
        "transition",
        "left",
        "entered",
        "actor",
        "actor_role",
        "department",
    ]
    list_filter = ["kind", "actor_role", "department"]
    list_select_related = ["request", "actor", "department"]
    search_fields = ["transition", "request__subject"]
    search_help_text = _("Transition, request subject, or a reference such as SR-000123.")
    ordering = ["-at", "-pk"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return (
            super()
            .get_queryset(request)
            .filter(visible_requests_q(request.user, prefix="request__"))
            .select_related("request", "actor", "department", "assignee__user")
        )

    # States by their labels; the transition keeps its code, which the search box takes.
    @admin.display(description=_("from state"), ordering="from_state")
    def left(self, event: Event) -> str:
        return state_label(event.from_state)

    @admin.display(description=_("to state"), ordering="to_state")
    def entered(self, event: Event) -> str:
        return state_label(event.to_state)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.opts.fields]
