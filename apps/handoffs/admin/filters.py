"""Admin list filters for handoffs: the signed-in agent's inbox and outbox, and bouncing."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Department
from apps.handoffs.selectors import OPEN_Q


class BoxFilter(admin.SimpleListFilter):
    title = _("box")
    parameter_name = "box"

    def lookups(self, request, model_admin):
        return [
            ("inbox", _("Inbox: open, to my departments")),
            ("incoming", _("All to my departments")),
            ("outgoing", _("From my departments")),
        ]

    def queryset(self, request, queryset):
        mine = Department.objects.filter(agents__user=request.user).values("pk")
        if self.value() == "inbox":
            return queryset.filter(OPEN_Q, to_department__in=mine)
        if self.value() == "incoming":
            return queryset.filter(to_department__in=mine)
        if self.value() == "outgoing":
            return queryset.filter(from_department__in=mine)
        return queryset


class BouncingRequestFilter(admin.SimpleListFilter):
    """For the request admin: requests with a bouncing transfer in their history."""

    title = _("bouncing")
    parameter_name = "bouncing"

    def lookups(self, request, model_admin):
        return [("yes", _("Bounced between departments"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(Q(handoffs__bounced=True)).distinct()
        return queryset
