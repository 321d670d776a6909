"""Admin pieces shared by the apps: read-only screens for rows only a door may write."""


class ReadOnlyAdminMixin:
    """No add, change or delete in the admin: the rows are written by a door (the event log,
    messages) in the transaction of the change they belong to."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
