"""Admin: the staffing page (table and chart of the latest forecast) in place of the list of
stored staffing forecasts."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Department
from apps.core.admin import ReadOnlyAdminMixin
from apps.improvement.models import StaffingForecast
from apps.improvement.staffing.plan import staffing_plan
from apps.quality.admin import StaffMayViewMixin
from apps.quality.dashboard.svg import line_chart

DAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


class StaffingFilter(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, label=_("Department")
    )
    target_minutes = forms.FloatField(
        required=False, min_value=1, label=_("First response within (minutes)")
    )
    target_share = forms.FloatField(
        required=False, min_value=0.01, max_value=0.999, label=_("for this share (0-1)")
    )


def hour_label(hour: int) -> str:
    return f"{DAYS[hour // 24]} {hour % 24:02d}"


def department_view(row: dict) -> dict:
    """One department's chart and the table rows worth showing (arrivals or agents)."""
    hours = row["hours"]
    labels = [hour_label(h["hour_of_week"]) for h in hours]
    chart = line_chart(
        labels,
        {
            str(_("forecast arrivals / h")): [h["forecast"] for h in hours],
            str(_("agents needed")): [h["agents_needed"] for h in hours],
            str(_("agents scheduled")): [h["agents_scheduled"] for h in hours],
        },
        label=str(_("Staffing")),
    )
    shown = [
        {**h, "label": hour_label(h["hour_of_week"])}
        for h in hours
        if h["forecast"] >= 0.05 or h["agents_scheduled"] or h["agents_needed"]
    ]
    return {**row, "chart": chart, "rows": shown}


@admin.register(StaffingForecast)
class StaffingAdmin(StaffMayViewMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = StaffingFilter(request.GET or None)
        chosen = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}
        stored = StaffingForecast.objects.order_by("-created_at", "-pk").first()
        if chosen or stored is None:
            department = chosen.pop("department", None)
            plan = staffing_plan(department_id=department.pk if department else None, **chosen)
        else:
            plan = stored.payload
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Staffing forecast"),
            "form": form,
            "plan": plan,
            # Stored as ISO text in the forecast's JSON; shown in the agent's zone and format.
            "generated_at": parse_datetime(str(plan.get("generated_at") or "")),
            "target_share": f"{100 * float(plan.get('target_share') or 0):.0f}%",
            "departments": [department_view(row) for row in plan["departments"]],
        }
        return TemplateResponse(request, "admin/improvement/staffing.html", context)
