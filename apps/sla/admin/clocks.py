"""Admin for SLA clocks: read-only, since only the door and the sweep move them."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.accounts.scope import visible_requests_q
from apps.core.admin import ReadOnlyAdminMixin
from apps.lifecycle.reference import ReferenceSearchMixin
from apps.sla import display
from apps.sla.models import SLAClock


class FlagFilter(admin.SimpleListFilter):
    """Yes or no on whether a timestamp field is set (the sweep's warning and breach marks)."""

    field = ""

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(**{f"{self.field}__isnull": self.value() == "no"})
        return queryset


class BreachedFilter(FlagFilter):
    title = _("breached")
    parameter_name = "breached"
    field = "breached_at"


class WarnedFilter(FlagFilter):
    title = _("warned")
    parameter_name = "warned"
    field = "warned_at"


@admin.register(SLAClock)
class SLAClockAdmin(ReferenceSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    reference_lookup = "request_id"
    list_display = [
        "reference",
        "kind",
        "state",
        "deadline",
        "remaining",
        "warned",
        "breached",
        "policy",
    ]
    # The first column links to the request; the clock's own page opens from its target.
    list_display_links = ["kind"]
    list_filter = ["state", "kind", BreachedFilter, WarnedFilter, "policy"]
    list_select_related = ["request", "policy__calendar"]
    search_fields = ["request__subject"]
    search_help_text = _("Request subject, or a reference such as SR-000123.")
    ordering = ["-request_id", "kind"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(visible_requests_q(request.user, prefix="request__"))
            .select_related("request", "policy__calendar")
            .prefetch_related("policy__calendar__hours", "policy__calendar__holidays")
        )

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.fields]

    @admin.display(description=_("request"), ordering="request_id")
    def reference(self, clock: SLAClock) -> str:
        url = reverse("admin:tickets_servicerequest_change", args=[clock.request_id])
        return format_html('<a href="{}">{}</a>', url, clock.request.reference)

    @admin.display(description=_("business time"))
    def remaining(self, clock: SLAClock) -> str:
        return display.clock_view(clock, timezone.now()).badge()

    @admin.display(description=_("warned"), boolean=True, ordering="warned_at")
    def warned(self, clock: SLAClock) -> bool:
        return clock.warned_at is not None

    @admin.display(description=_("breached"), boolean=True, ordering="breached_at")
    def breached(self, clock: SLAClock) -> bool:
        return clock.breached_at is not None
