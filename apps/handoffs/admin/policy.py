"""OLA policies in the admin: targets between departments, edited by those allowed to."""

from django.contrib import admin

from apps.handoffs.models import OLAPolicy


@admin.register(OLAPolicy)
class OLAPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "from_department",
        "to_department",
        "acceptance_minutes",
        "completion_minutes",
        "warning_percent",
        "expire_after_minutes",
        "active",
    ]
    list_select_related = ["from_department", "to_department"]
    list_filter = ["active", "to_department"]
    search_fields = ["name"]
