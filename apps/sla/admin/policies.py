"""Admin for SLA policies (first match wins, in order) and escalation policies with their steps."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Tier
from apps.core.admin_forms import clean_choice_list, known_values
from apps.lifecycle.channel import Channel
from apps.lifecycle.priority import Priority
from apps.sla.models import EscalationPolicy, EscalationStep, SLAPolicy

# Each JSON-list condition and the choices its values must come from.
_CONDITIONS = {"priorities": Priority, "customer_tiers": Tier, "channels": Channel}
_TARGETS = ["first_response_minutes", "resolution_minutes", "next_response_minutes"]


class SLAPolicyForm(forms.ModelForm):
    class Meta:
        model = SLAPolicy
        fields = [
            "name",
            "order",
            "active",
            *_CONDITIONS,
            "categories",
            "departments",
            *_TARGETS,
            "calendar",
            "warning_percent",
            "escalation_policy",
        ]
        help_texts = {
            "order": _(
                "Lowest first: a request gets the first active policy, in this order, "
                "whose conditions it meets."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, choices in _CONDITIONS.items():
            self.fields[name].help_text = _("A JSON list of %(values)s; empty: any.") % {
                "values": known_values(choices.choices)
            }

    def clean_priorities(self):
        return self._clean_condition("priorities")

    def clean_customer_tiers(self):
        return self._clean_condition("customer_tiers")

    def clean_channels(self):
        return self._clean_condition("channels")

    def _clean_condition(self, name: str) -> list:
        return clean_choice_list(self.cleaned_data.get(name), _CONDITIONS[name].choices)

    def clean(self):
        cleaned = super().clean()
        for name in _TARGETS:
            if cleaned.get(name) == 0:
                self.add_error(name, _("Leave it empty for no such clock."))
        first, resolution = cleaned.get("first_response_minutes"), cleaned.get("resolution_minutes")
        if not (first or resolution):
            raise ValidationError(
                _("Set a first-response or a resolution target: without one no clock starts."),
                code="no_target",
            )
        if cleaned.get("next_response_minutes") and not first:
            self.add_error(
                "next_response_minutes",
                _("The next-response clock runs only after a first response: set that target."),
            )
        return cleaned


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    form = SLAPolicyForm
    list_display = [
        "name",
        "order",
        "active",
        "conditions",
        "first_response_minutes",
        "resolution_minutes",
        "next_response_minutes",
        "calendar",
        "warning_percent",
        "escalation_policy",
    ]
    list_editable = ["order"]
    list_filter = ["active", "calendar", "escalation_policy"]
    list_select_related = ["calendar", "escalation_policy"]
    search_fields = ["name"]
    ordering = ["order", "pk"]
    filter_horizontal = ["categories", "departments"]
    fieldsets = [
        (None, {"fields": ["name", ("order", "active")]}),
        (
            _("Conditions"),
            {
                "description": _(
                    "Policies are tried in order and the first match wins. A request matches "
                    "when it meets every condition; an empty condition matches any request."
                ),
                "fields": ["priorities", "customer_tiers", "channels", "categories", "departments"],
            },
        ),
        (
            _("Targets"),
            {
                "description": _(
                    "Business minutes on the calendar (empty calendar: 24x7); an empty target "
                    "starts no clock."
                ),
                "fields": [*_TARGETS, "calendar", "warning_percent"],
            },
        ),
        (_("Escalation"), {"fields": ["escalation_policy"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories", "departments")

    @admin.display(description=_("conditions"))
    def conditions(self, policy: SLAPolicy) -> str:
        parts = [
            (_("priorities"), policy.priority_labels() if policy.priorities else ""),
            (_("tiers"), _labels(policy.customer_tiers, Tier)),
            (_("channels"), _labels(policy.channels, Channel)),
            (_("categories"), ", ".join(str(c) for c in policy.categories.all())),
            (_("departments"), ", ".join(str(d) for d in policy.departments.all())),
        ]
        return "; ".join(f"{name}: {values}" for name, values in parts if values) or _("any")


def _labels(values: list, choices) -> str:
    labels = dict(choices.choices)
    return ", ".join(str(labels.get(value, value)) for value in values)


class EscalationStepForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("at_percent") is None and not cleaned.get("on_manual"):
            # On the field, so the database constraint saying the same is not reported twice.
            self.add_error(
                "at_percent", _("Set a share of the target, or run the step on manual escalation.")
            )
        return cleaned


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    form = EscalationStepForm
    fields = [
        "at_percent",
        "on_manual",
        "clock_kind",
        "notify_assignee",
        "notify_lead",
        "raise_priority",
        "raise_level",
        "move_to_department",
    ]
    autocomplete_fields = ["move_to_department"]
    extra = 0


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "step_count", "policy_count"]
    search_fields = ["name"]
    inlines = [EscalationStepInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                step_count=Count("steps", distinct=True),
                policy_count=Count("sla_policies", distinct=True),
            )
        )

    @admin.display(description=_("steps"), ordering="step_count")
    def step_count(self, policy: EscalationPolicy) -> int:
        return policy.step_count

    @admin.display(description=_("used by SLA policies"), ordering="policy_count")
    def policy_count(self, policy: EscalationPolicy) -> int:
        return policy.policy_count
