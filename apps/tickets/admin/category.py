"""Admin for request categories and the default department each one routes to."""

from django.contrib import admin

from apps.tickets.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "default_department", "is_active"]
    list_filter = ["is_active", "default_department"]
    list_select_related = ["default_department"]
    search_fields = ["name"]
    autocomplete_fields = ["default_department"]
