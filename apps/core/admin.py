"""Admin pieces shared by the apps: read-only screens for rows only a door may write."""

from django.db.models import Model
from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """No add, change or delete in the admin: the rows are written by a door (the event log,
    messages) in the transaction of the change they belong to."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
