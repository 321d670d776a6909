"""Admin: quality alerts, KPI indicators, the quality dashboard."""

from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.accounts.actors import actor_for_user
from apps.accounts.models import Department
from apps.core.admin import ReadOnlyAdminMixin
from apps.quality.ahp import CONSISTENT_ENOUGH, SCALE, AhpWeights, judged_weights
from apps.quality.alerts import do_acknowledge_alert, may_acknowledge
from apps.quality.charts import ChartWindow
from apps.quality.dashboard.context import dashboard_context
from apps.quality.entropy import suggested_weights
from apps.quality.models import (
    KPIIndicator,
    KpiJudgement,
    KpiWeight,
    QualityAlert,
    QualityDashboard,
)
from apps.quality.scores import indicator_specs
from apps.quality.weights import set_weight, start_history

# The longest range the dashboard draws (its queries read every day of it and the baseline).
MAX_RANGE_DAYS = 366
# Before this the baseline's arithmetic could leave the calendar (year 1); no desk is that old.
EARLIEST_DAY = date(2000, 1, 1)


class DashboardFilter(forms.Form):
    """The department and the days the dashboard watches (its charts add a baseline before)."""

    department = forms.ModelChoiceField(
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("The whole desk"),
        label=_("Department"),
    )
    start = forms.DateField(
        required=False,
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        required=False,
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day must not be after the last."))
        if any(day and day < EARLIEST_DAY for day in (start, end)):
            raise forms.ValidationError(
                _("Choose days from %(day)s on.") % {"day": formats.date_format(EARLIEST_DAY)}
            )
        today = timezone.localdate()
        if start and start > today:
            self.add_error("start", _("The first day must not be in the future."))
        if end and end > today:
            self.add_error("end", _("The last day must not be in the future."))
        if start and end and (end - start).days + 1 > MAX_RANGE_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(days)d days.") % {"days": MAX_RANGE_DAYS}
            )
        return data

    def window(self) -> ChartWindow:
        """The chosen days (one end alone keeps the default length), or the default window."""
        data = self.cleaned_data if self.is_valid() else {}
        department = data.get("department")
        department_id = department.pk if department else None
        start, end = data.get("start"), data.get("end")
        if start and not end:
            end = min(start + timedelta(days=ChartWindow.default_days() - 1), timezone.localdate())
        if end and not start:
            start = end - timedelta(days=ChartWindow.default_days() - 1)
        if start and end:
            return ChartWindow.between(start, end, department_id=department_id)
        return ChartWindow.ending(department_id=department_id)


class StaffMayViewMixin:
    """Every staff member (agent, lead, administrator) reads these screens."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(QualityAlert)
class QualityAlertAdmin(StaffMayViewMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "department", "chart", "rule", "worse", "value", "acknowledged_at"]
    list_filter = [
        "chart",
        "rule",
        "worse",
        "department",
        ("acknowledged_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["department", "acknowledged_by"]
    date_hierarchy = "day"
    actions = ["acknowledge"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.fields]

    def has_change_permission(self, request, obj=None):
        # Actions need it; the form is read-only and acknowledgement goes through its door.
        return request.user.is_active and request.user.is_staff

    @admin.action(description=_("Acknowledge the selected alerts (as a lead)"))
    def acknowledge(self, request, queryset):
        actor = actor_for_user(request.user)
        done = refused = 0
        for alert in queryset:
            if may_acknowledge(actor, alert):
                do_acknowledge_alert(alert, user=request.user)
                done += 1
            else:
                refused += 1
        self.message_user(request, _("%(done)d acknowledged.") % {"done": done})
        if refused:
            self.message_user(
                request,
                _("%(n)d not acknowledged: only their department's leads may.") % {"n": refused},
                level=messages.WARNING,
            )

    def save_model(self, request, obj, form, change):
        raise PermissionDenied


class KPIIndicatorForm(forms.ModelForm):
    """The indicator, and from when a changed weight counts (the past keeps its weights)."""

    weight_from = forms.DateField(
        required=False,
        label=_("Weight effective from"),
        help_text=_("Empty: today. Periods starting before this day keep the weight they had."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = KPIIndicator
        fields = ["metric", "department", "target", "weight", "weight_from", "active"]


class KpiWeightInline(admin.TabularInline):
    model = KpiWeight
    extra = 0
    can_delete = False
    fields = ("effective_from", "weight")
    readonly_fields = ("effective_from", "weight")
    verbose_name_plural = _("Weight history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KPIIndicator)
class KPIIndicatorAdmin(StaffMayViewMixin, admin.ModelAdmin):
    form = KPIIndicatorForm
    list_display = ["metric", "department", "target", "weight", "active"]
    list_filter = ["active", "metric", "department"]
    list_editable = ["target", "weight", "active"]
    list_select_related = ["department"]
    inlines = [KpiWeightInline]
    # Numbers of a few digits: narrow inputs keep the list, with both suggested weightings,
    # inside 1440 px (the default inputs pushed the last column out of sight).
    formfield_overrides = {
        models.FloatField: {"widget": forms.NumberInput(attrs={"style": "width: 7em"})}
    }

    def get_list_display(self, request):
        """The columns, with the entropy weighting suggested by the data and the AHP weighting
        from the managers' pairwise judgements beside the manual weights (computed once per
        page, per desk and department with its own indicators)."""
        suggestions: dict[int | None, dict[str, float]] = {}
        judged: dict[int | None, AhpWeights | None] = {}

        @admin.display(description=_("suggested (entropy)"))
        def suggested(obj: KPIIndicator) -> str:
            scope = obj.department_id
            if scope not in suggestions:
                specs = indicator_specs(timezone.localdate())
                names = sorted({s.metric for s in specs.get(scope, specs[None])} | {obj.metric})
                suggestions[scope] = suggested_weights(names, department_id=scope)
            share = suggestions[scope].get(obj.metric)
            return "-" if share is None else f"{100 * share:.0f}%"

        @admin.display(description=_("suggested (AHP)"))
        def pairwise(obj: KPIIndicator) -> str:
            scope = obj.department_id
            if scope not in judged:
                specs = indicator_specs(timezone.localdate())
                names = sorted({s.metric for s in specs.get(scope, specs[None])} | {obj.metric})
                judged[scope] = judged_weights(names, department_id=scope)
            ahp = judged[scope]
            if ahp is None:
                return "-"
            share = f"{100 * ahp.weights[obj.metric]:.0f}%"
            if ahp.consistent:
                return share
            # Short in the list (the column fits 1440 px); the reason on hover.
            reason = _("%(share)s (inconsistent: CR %(cr).2f above %(limit)s)") % {
                "share": share,
                "cr": ahp.consistency_ratio,
                "limit": CONSISTENT_ENOUGH,
            }
            return format_html(
                '<span class="ahp-inconsistent" title="{}">{} ⚠ CR {}</span>',
                reason,
                share,
                f"{ahp.consistency_ratio:.2f}",
            )

        return [*self.list_display[:4], suggested, pairwise, *self.list_display[4:]]

    def save_model(self, request, obj, form, change):
        """A new indicator's weight counts from FAR_PAST; a changed one goes into the history
        from the chosen day (today by default), the earlier rows untouched."""
        weight = obj.weight
        reweighed = change and "weight" in form.changed_data
        if reweighed:
            obj.weight = form.initial["weight"]  # set_weight records the new one below
        super().save_model(request, obj, form, change)
        if not change:
            start_history(obj)
        elif reweighed:
            day = form.cleaned_data.get("weight_from") or timezone.localdate()
            set_weight(obj, weight, effective_from=day)


def _saaty_label(value: float) -> str:
    if value >= 1:
        return _("%(value)d: the first is %(words)s") % {
            "value": value,
            "words": SAATY_WORDS[round(value)],
        }
    return _("1/%(value)d: the second is %(words)s") % {
        "value": round(1 / value),
        "words": SAATY_WORDS[round(1 / value)],
    }


SAATY_WORDS = {
    1: _("as important"),
    2: _("equally to moderately more important"),
    3: _("moderately more important"),
    4: _("moderately to strongly more important"),
    5: _("strongly more important"),
    6: _("strongly to very strongly more important"),
    7: _("very strongly more important"),
    8: _("very strongly to extremely more important"),
    9: _("extremely more important"),
}


class KpiJudgementForm(forms.ModelForm):
    """One pair judged on Saaty's scale; a pair already judged the other way round is
    refused (one judgement per pair)."""

    value = forms.TypedChoiceField(
        label=_("importance"),
        coerce=float,
        # A callable: the labels are built in the language of each request.
        choices=lambda: [(str(float(v)), _saaty_label(v)) for v in reversed(SCALE)],
        initial="1.0",
    )

    class Meta:
        model = KpiJudgement
        fields = ["department", "first", "second", "value"]

    def clean(self):
        data = super().clean()
        first, second = data.get("first"), data.get("second")
        if first and first == second:
            raise forms.ValidationError(_("Compare two different indicators."))
        reverse = KpiJudgement.objects.filter(
            department=data.get("department"), first=second, second=first
        ).exclude(pk=self.instance.pk)
        if first and reverse.exists():
            raise forms.ValidationError(
                _("This pair is already judged the other way round: change that judgement.")
            )
        return data


@admin.register(KpiJudgement)
class KpiJudgementAdmin(StaffMayViewMixin, admin.ModelAdmin):
    form = KpiJudgementForm
    list_display = ["first", "second", "judgement", "department"]
    list_filter = ["department"]
    list_select_related = ["department"]

    @admin.display(description=_("importance"), ordering="value")
    def judgement(self, obj: KpiJudgement) -> str:
        return _saaty_label(obj.value)


@admin.register(QualityDashboard)
class QualityDashboardAdmin(StaffMayViewMixin, admin.ModelAdmin):
    """The dashboard page: the index links here, the changelist is the dashboard."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = DashboardFilter(request.GET or None)
        window = form.window()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Quality dashboard"),
            "form": form,
            "department": form.cleaned_data.get("department") if form.is_bound else None,
            **dashboard_context(window),
        }
        return TemplateResponse(request, "admin/quality/dashboard.html", context)
