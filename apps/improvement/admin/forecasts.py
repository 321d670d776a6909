"""Admin: the open requests' forecasts (riskiest first) and the trained ETA models, read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.accounts.scope import visible_requests_q
from apps.core.admin import ReadOnlyAdminMixin
from apps.improvement.models import EtaModel, RequestForecast
from apps.quality.admin import StaffMayViewMixin as StaffMayView


@admin.register(RequestForecast)
class RequestForecastAdmin(StaffMayView, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["request", "risk_percent", "at_risk", "expected_at", "deadline", "warned_at"]
    list_filter = ["at_risk", "request__department"]
    list_select_related = ["request"]
    ordering = ["-risk", "pk"]

    def get_queryset(self, request):
        visible = visible_requests_q(request.user, prefix="request__")
        return super().get_queryset(request).filter(visible)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.fields]

    @admin.display(description=_("breach risk"), ordering="risk")
    def risk_percent(self, obj) -> str:
        return "-" if obj.risk is None else f"{obj.risk:.0%}"


@admin.register(EtaModel)
class EtaModelAdmin(StaffMayView, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["trained_at", "cases", "samples", "model_mae_hours", "baseline_mae_hours"]
    exclude = ["params", "blob"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.opts.fields if f.name not in ("params", "blob")]

    @admin.display(description=_("MAE (h), model"))
    def model_mae_hours(self, obj):
        return _hours((obj.evaluation.get("mae_days") or {}).get("model"))

    @admin.display(description=_("MAE (h), best baseline"))
    def baseline_mae_hours(self, obj):
        naive = [
            days
            for name, days in (obj.evaluation.get("mae_days") or {}).items()
            if name not in ("model", "empirical")
        ]
        return _hours(min(naive) if naive else None)


def _hours(days):
    return "-" if days is None else f"{days * 24:.1f}"
