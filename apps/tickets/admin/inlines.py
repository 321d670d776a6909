"""Read-only inlines of a request: its message thread and its event log."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.core.admin import ReadOnlyAdminMixin
from apps.quality.models import Event
from apps.tickets.models import Message

# What an event row shows, in the event-log admin and in a request's timeline.
EVENT_FIELDS = [
    "seq",
    "at",
    "kind",
    "transition",
    "from_state",
    "to_state",
    "actor",
    "actor_role",
    "department",
    "assignee",
    "payload",
]


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Shows rows written elsewhere (by the door); the admin never adds, edits or removes them."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "author", "author_role", "visibility", "body"]
    verbose_name_plural = _("message thread")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class EventInline(ReadOnlyInline):
    model = Event
    fields = EVENT_FIELDS
    ordering = ["seq"]
    verbose_name_plural = _("event log")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "department", "assignee__user")
