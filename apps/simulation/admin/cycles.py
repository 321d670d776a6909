"""Admin: PDCA cycles. A lead plans one, records the change, runs the check (an action) and
decides on the same page; each save goes through the step's service."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from apps.core.errors import Forbidden, InvalidData, NotAllowed
from apps.quality.scorecard import INDICATORS
from apps.simulation.admin.permissions import StaffReadLeadsWrite
from apps.simulation.models import CycleState, ImprovementCycle
from apps.simulation.pdca import services

PLAN = ["title", "problem", "owner", "indicator", "target_value", "direction", "baseline_days"]
PLAN += ["scenario", "predicted_value"]
DO = ["change", "changed_on"]
ACT = ["decision", "decision_note"]
SHOWN = ["state", "steps", "check_due", "check_table", "next_cycle_link", "previous_link"]
# The inputs each state opens besides the title and the owner.
OPEN_INPUTS = {CycleState.PLAN: DO, CycleState.CHECK: ACT}
REFUSALS = (Forbidden, InvalidData, NotAllowed)
VERDICTS = {
    "better": _("better"),
    "worse": _("worse"),
    "unchanged": _("no significant change"),
    "too_few": _("too few cases"),
}
VERSUS = {
    "within": _("within the predicted interval"),
    "better": _("better than predicted"),
    "worse": _("worse than predicted"),
    "as_predicted": _("as predicted"),
}
TESTS = {
    "mann_whitney_u": _("Mann-Whitney U"),
    "fisher_exact": _("Fisher's exact test"),
    "poisson_rates": _("two Poisson rates (binomial)"),
}


class CycleForm(forms.ModelForm):
    class Meta:
        model = ImprovementCycle
        fields = [*PLAN, *DO, *ACT]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "direction" in self.fields:  # the plan takes the indicator's good side without one
            self.fields["direction"].required = False

    def clean(self):
        data = super().clean()
        cycle = self.instance
        try:
            if cycle.pk is None:
                plan = _plan_fields(data)
                services.validate_plan(
                    indicator=data.get("indicator"), target_value=data.get("target_value"), **plan
                )
            elif cycle.state == CycleState.PLAN and (data.get("change") or data.get("changed_on")):
                services.validate_change(
                    change=data.get("change") or "", changed_on=data.get("changed_on")
                )
            elif cycle.state == CycleState.CHECK and data.get("decision"):
                services.validate_decision(
                    decision=data["decision"], note=data.get("decision_note") or ""
                )
        except InvalidData as error:
            fields = error.details.get("fields") or {}
            for name, message in fields.items():
                name = "decision_note" if name == "note" else name
                self.add_error(name if name in self.fields else None, message)
            if not fields:
                raise forms.ValidationError(error.message) from None
        return data


@admin.register(ImprovementCycle)
class ImprovementCycleAdmin(StaffReadLeadsWrite, admin.ModelAdmin):
    form = CycleForm
    list_display = ["title", "state", "indicator", "target", "problem", "check_due", "owner"]
    list_filter = ["state", "indicator", "decision"]
    list_select_related = ["problem", "owner"]
    search_fields = ["title", "change", "decision_note"]
    raw_id_fields = ["problem", "scenario", "owner"]
    actions = ["run_check"]

    def get_fields(self, request, obj=None):
        return PLAN if obj is None else [*PLAN, *DO, *ACT, *SHOWN]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        editable = {"title", "owner", *OPEN_INPUTS.get(obj.state, [])}
        return [n for n in [*PLAN, *DO, *ACT] if n not in editable] + SHOWN

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            plan = _plan_fields(data)
            created = services.do_plan_cycle(
                user=request.user,
                title=data["title"],
                indicator=data["indicator"],
                target_value=data["target_value"],
                **plan,
            )
            obj.pk = created.pk
            return
        ImprovementCycle.objects.filter(pk=obj.pk).update(title=obj.title, owner=obj.owner)
        if obj.state == CycleState.PLAN and data.get("changed_on"):
            services.do_record_change(
                obj, user=request.user, change=data["change"], changed_on=data["changed_on"]
            )
        elif obj.state == CycleState.CHECK and data.get("decision"):
            services.do_decide_cycle(
                obj, user=request.user, decision=data["decision"], note=data["decision_note"]
            )

    @admin.action(description=_("Check the selected cycles (their after period has ended)"))
    def run_check(self, request, queryset):
        done = 0
        for cycle in queryset:
            try:
                services.do_check_cycle(cycle, user=request.user)
                done += 1
            except REFUSALS as error:
                self.message_user(request, f"{cycle}: {error.message}", level=messages.WARNING)
        self.message_user(request, _("%(done)d cycles checked.") % {"done": done})

    @admin.display(description=_("target"))
    def target(self, obj):
        return f"{obj.get_direction_display()} {_value(obj.indicator, obj.target_value)}"

    @admin.display(description=_("steps"))
    def steps(self, obj):
        rows = [
            (_("planned"), obj.planned_by, obj.planned_at),
            (_("change recorded"), obj.change_recorded_by, obj.change_recorded_at),
            (_("checked"), obj.checked_by, obj.checked_at),
            (_("decided"), obj.decided_by, obj.decided_at),
        ]
        return format_html_join(
            "",
            "<div>{}: {} &middot; {}</div>",
            (
                (step, user or "-", timezone.localtime(at).strftime("%Y-%m-%d %H:%M"))
                for step, user, at in rows
                if at
            ),
        )

    @admin.display(description=_("check"))
    def check_table(self, obj):
        return check_table(obj.results) if obj.results else _("Not checked yet.")

    @admin.display(description=_("next cycle"))
    def next_cycle_link(self, obj):
        return _link(obj.next_cycle)

    @admin.display(description=_("adjusted from"))
    def previous_link(self, obj):
        return format_html_join(", ", "{}", ((_link(c),) for c in obj.previous_cycles.all()))


def _plan_fields(data: dict) -> dict:
    """The optional parts of a plan the form was given."""
    return {n: data[n] for n in services.PLAN_FIELDS if data.get(n) not in (None, "")}


def _link(cycle) -> str:
    if cycle is None:
        return "-"
    url = reverse("admin:simulation_improvementcycle_change", args=[cycle.pk])
    return format_html('<a href="{}">{}</a>', url, cycle.title)


def _value(kpi: str, value) -> str:
    if value is None:
        return "-"
    unit = INDICATORS[kpi][1]
    if unit == "share":
        return f"{100 * value:.1f} %"
    if unit == "hours":
        return f"{value:.2f} h"
    return f"{value:.2f}" if unit == "1-5" else f"{value:.0f}"


def _predicted(kpi: str, predicted: dict | None) -> str:
    if not predicted:
        return "-"
    if predicted.get("low") is None:
        return _value(kpi, predicted["value"])
    low, high = _value(kpi, predicted["low"]), _value(kpi, predicted["high"])
    return f"{_value(kpi, predicted['value'])} [{low}, {high}]"


def check_table(results: dict) -> str:
    """Every indicator before and after, the test, the verdict and the prediction; then
    whether the target was reached."""
    rows = format_html_join(
        "",
        "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                INDICATORS[row["kpi"]][0],
                _value(row["kpi"], row["before"]),
                _value(row["kpi"], row["after"]),
                "-" if row["difference"] is None else f"{row['difference']:+.4g}",
                TESTS.get(row["test"], row["test"]),
                "-" if row["p_value"] is None else f"{row['p_value']:.4f}",
                VERDICTS[row["verdict"]],
                _predicted(row["kpi"], row["predicted"]),
                VERSUS.get(row["vs_prediction"], "-"),
            )
            for row in results["kpis"]
        ),
    )
    target = results["target"]
    reached = _("reached") if target["reached"] else _("not reached")
    significant = _("significant") if target["significant"] else _("not significant")
    return format_html(
        '<table id="cycle-check"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody>"
        "</table><p>{}</p>",
        _("indicator"),
        _("before"),
        _("after"),
        _("difference"),
        _("test"),
        _("p-value"),
        _("verdict"),
        _("predicted [interval, 95 %]"),
        _("against the prediction"),
        rows,
        _("Target %(indicator)s %(target)s: %(reached)s (%(significant)s, alpha %(alpha)s).")
        % {
            "indicator": INDICATORS[target["kpi"]][0],
            "target": _value(target["kpi"], target["value"]),
            "reached": reached,
            "significant": significant,
            "alpha": results["alpha"],
        },
    )
