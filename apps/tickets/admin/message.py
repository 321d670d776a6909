"""A read-only list of messages across requests, for finding a conversation by its text."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.accounts.scope import visible_requests_q
from apps.core.admin import ReadOnlyAdminMixin
from apps.tickets.models import Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "request_reference", "author", "author_role", "visibility"]
    list_filter = ["visibility", "author_role"]
    list_select_related = ["request", "author"]
    search_fields = ["body", "request__subject"]
    ordering = ["-created_at", "-pk"]
    fields = ["request", "author", "author_role", "visibility", "created_at", "body"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(visible_requests_q(request.user, prefix="request__"))
        )

    @admin.display(description=_("request"), ordering="request_id")
    def request_reference(self, message: Message) -> str:
        return message.request.reference
