"""Admin for request categories: the default department each one routes to, and whether its
requests wait for an approval first (and whose)."""

from django.contrib import admin

from apps.tickets.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "default_department",
        "requires_approval",
        "approver_group",
        "is_active",
    ]
    list_filter = ["is_active", "requires_approval", "default_department"]
    list_select_related = ["default_department", "approver_group"]
    search_fields = ["name"]
    autocomplete_fields = ["default_department"]
    fields = ["name", "default_department", "is_active", ("requires_approval", "approver_group")]
