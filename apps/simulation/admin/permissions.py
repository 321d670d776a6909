"""Who may do what in the simulation's admin: every staff member reads scenarios and PDCA
cycles; department leads and supervisors store, run and move them, as in the API."""

from apps.simulation.access import leads


class StaffReadLeadsWrite:
    """Permissions of a ModelAdmin whose rows every staff member reads and leads write."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request) and leads(request.user)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)
