"""Attachments in the admin: a read-only list, and downloads through the same access check as
the API (`attachments.open_attachment_for`), never a public URL."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.accounts.actors import actor_for_user
from apps.accounts.scope import visible_requests_q
from apps.core.admin import ReadOnlyAdminMixin
from apps.core.errors import ServiceDeskError
from apps.tickets import attachments
from apps.tickets.models import Attachment


def download_url(attachment: Attachment) -> str:
    return reverse("admin:tickets_attachment_download", args=[attachment.pk])


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "request_reference",
        "content_type",
        "file_size",
        "uploaded_by",
        "uploader_role",
        "internal_file",
        "created_at",
        "download",
    ]
    list_filter = ["content_type", "uploader_role"]
    list_select_related = ["request", "message", "uploaded_by"]
    search_fields = ["name", "sha256", "request__subject"]
    ordering = ["-created_at", "-pk"]
    fields = readonly_fields = (
        "request",
        "message",
        "name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploader_role",
        "created_at",
        "download",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(visible_requests_q(request.user, prefix="request__"))
        )

    @admin.display(description=_("request"), ordering="request_id")
    def request_reference(self, attachment: Attachment) -> str:
        return attachment.request.reference

    @admin.display(description=_("size"), ordering="size")
    def file_size(self, attachment: Attachment) -> str:
        return filesizeformat(attachment.size)

    @admin.display(description=_("internal note"), boolean=True)
    def internal_file(self, attachment: Attachment) -> bool:
        return attachment.internal

    @admin.display(description=_("download"))
    def download(self, attachment: Attachment) -> str:
        return format_html('<a href="{}">{}</a>', download_url(attachment), _("Download"))

    def get_urls(self):
        return [
            path(
                "<int:attachment_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="tickets_attachment_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, attachment_id: int):
        """The file, if the signed-in agent may view attachments and reach its request (an
        agent's departments, as everywhere else); 404 otherwise, as for a file that is not."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            actor = actor_for_user(request.user)
        except ServiceDeskError:
            raise Http404 from None
        found = attachments.open_attachment_for(actor, attachment_id)
        if found is None:
            raise Http404
        return attachments.download_response(*found)
