"""Admin: imported event logs (read-only; deleting one removes its events) and their events."""

from django.contrib import admin

from apps.analytics.models import ImportedEvent, ImportedLog
from apps.core.admin import ReadOnlyAdminMixin


@admin.register(ImportedLog)
class ImportedLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "source", "event_count", "case_count", "imported_by", "created_at"]
    search_fields = ["name", "source"]
    list_select_related = ["imported_by"]
    exclude = ["case_attributes"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.opts.fields if f.name != "case_attributes"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(ImportedEvent)
class ImportedEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case_id", "seq", "activity", "at", "resource", "log"]
    list_filter = ["log"]
    search_fields = ["case_id", "activity"]
    list_select_related = ["log"]
    # Logs run to millions of events: no full count on every page.
    show_full_result_count = False
