"""Admin for routing rules, tried in order (first match wins), with every condition checked;
the agent list with open load against capacity."""

import json

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.admin import AgentAdmin
from apps.accounts.models import Agent, Skill, Tier
from apps.core.admin_forms import clean_choice_list, known_values
from apps.lifecycle.channel import Channel
from apps.lifecycle.states import WORKING
from apps.routing.models import RoutingRule
from apps.sla.models.calendars import time_zone_names

TAG_MAX_LENGTH = 40
_ACTIONS = [
    "department",
    "priority",
    "raise_priority",
    "tags",
    "required_skills",
    "requires_approval",
    "approver_group",
]


def _known_choices(name: str) -> list[tuple[str, str]]:
    """The values a JSON-list condition may hold; settings are read when asked, not on import."""
    if name == "languages":
        return list(settings.LANGUAGES)
    return {"channels": Channel, "customer_tiers": Tier}[name].choices


def _strings(value, *, example: str) -> list[str]:
    """A JSON list of non-blank strings, stripped and without repeats; empty input is []."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError(
            _("Enter a JSON list such as [%(example)s], or leave it empty."),
            code="not_a_list",
            params={"example": json.dumps(example)},
        )
    if any(not isinstance(v, str) or not v.strip() for v in value):
        raise ValidationError(_("Each entry must be a non-empty string."), code="not_a_string")
    return list(dict.fromkeys(v.strip() for v in value))


class RoutingRuleForm(forms.ModelForm):
    # A list to pick from rather than free text: a mistyped zone would fail every match.
    time_zone = forms.ChoiceField(label=_("time zone of the hours"), choices=(), initial="UTC")

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "order",
            "active",
            "categories",
            "keywords",
            "pattern",
            "channels",
            "customer_tiers",
            "languages",
            "active_from",
            "active_until",
            "time_zone",
            *_ACTIONS,
        ]
        help_texts = {
            "order": _(
                "Lowest first: a new request takes the first active rule, in this order, whose "
                "conditions it meets. Requests no rule sends elsewhere go to their category's "
                "default department, else the triage department."
            ),
            "tags": _('A JSON list of short tags added to the request, e.g. ["vpn"].'),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in sorted(time_zone_names())]
        for name in ("channels", "customer_tiers", "languages"):
            self.fields[name].help_text = _("A JSON list of %(values)s; empty: any.") % {
                "values": known_values(_known_choices(name))
            }

    def clean_keywords(self):
        return _strings(self.cleaned_data.get("keywords"), example="vpn")

    def clean_channels(self):
        return self._clean_condition("channels")

    def clean_customer_tiers(self):
        return self._clean_condition("customer_tiers")

    def clean_languages(self):
        return self._clean_condition("languages")

    def _clean_condition(self, name: str) -> list[str]:
        return clean_choice_list(self.cleaned_data.get(name), _known_choices(name))

    def clean_tags(self):
        tags = _strings(self.cleaned_data.get("tags"), example="vpn")
        long = [t for t in tags if len(t) > TAG_MAX_LENGTH]
        if long:
            raise ValidationError(
                _("Tags are at most %(max)d characters: %(long)s."),
                code="tag_too_long",
                params={"max": TAG_MAX_LENGTH, "long": ", ".join(map(json.dumps, long))},
            )
        return tags

    def clean_required_skills(self):
        value = self.cleaned_data.get("required_skills")
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            raise ValidationError(
                _('Enter a JSON object of skill names to levels, e.g. {"networking": 3}.'),
                code="not_an_object",
            )
        # bool is an int too, and true would read as level 1.
        bad = [k for k, v in value.items() if type(v) is not int or not 1 <= v <= 5]
        if bad:
            raise ValidationError(
                _("Levels are whole numbers from 1 to 5: %(bad)s."),
                code="bad_level",
                params={"bad": ", ".join(map(json.dumps, bad))},
            )
        existing = set(Skill.objects.filter(name__in=list(value)).values_list("name", flat=True))
        unknown = [k for k in value if k not in existing]
        if unknown:
            raise ValidationError(
                _("No such skill: %(unknown)s (add it under Skills first)."),
                code="unknown_skill",
                params={"unknown": ", ".join(map(json.dumps, unknown))},
            )
        return value

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("active_from") is None) != (cleaned.get("active_until") is None):
            raise ValidationError(
                _("Set both 'from' and 'until' for a time-of-day condition, or neither."),
                code="half_hours",
            )
        if cleaned.get("priority") and cleaned.get("raise_priority"):
            self.add_error("raise_priority", _("Set a priority or raise it one step, not both."))
        if cleaned.get("approver_group") and not cleaned.get("requires_approval"):
            self.add_error(
                "approver_group", _("Approvers are asked only when the rule requires approval.")
            )
        unchecked = any(name in self.errors for name in _ACTIONS)
        if not unchecked and not any(cleaned.get(name) for name in _ACTIONS):
            raise ValidationError(
                _(
                    "Choose at least one action: a department, a priority, tags, skills or "
                    "an approval."
                ),
                code="no_action",
            )
        return cleaned


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ["name", "order", "active", "conditions", "actions_summary"]
    list_editable = ["order"]
    list_filter = ["active", "department"]
    list_select_related = ["department", "approver_group"]
    search_fields = ["name"]
    ordering = ["order", "pk"]
    filter_horizontal = ["categories"]
    fieldsets = [
        (None, {"fields": ["name", ("order", "active")]}),
        (
            _("Conditions"),
            {
                "description": _(
                    "Rules are tried in order and the first match wins. A request matches when "
                    "it meets every condition; an empty condition matches any request."
                ),
                "fields": [
                    "categories",
                    "keywords",
                    "pattern",
                    "channels",
                    "customer_tiers",
                    "languages",
                    ("active_from", "active_until"),
                    "time_zone",
                ],
            },
        ),
        (
            _("Actions"),
            {
                "description": _(
                    "What the first matching rule does. Requests no rule sends elsewhere go to "
                    "their category's default department, else the triage department."
                ),
                "fields": _ACTIONS,
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description=_("conditions"))
    def conditions(self, rule: RoutingRule) -> str:
        hours = (
            f"{rule.active_from:%H:%M}-{rule.active_until:%H:%M} {rule.time_zone}"
            if rule.active_from is not None and rule.active_until is not None
            else ""
        )
        parts = [
            (_("categories"), ", ".join(str(c) for c in rule.categories.all())),
            (_("keywords"), ", ".join(rule.keywords)),
            (_("pattern"), rule.pattern),
            (_("channels"), _labels(rule.channels, Channel.choices)),
            (_("tiers"), _labels(rule.customer_tiers, Tier.choices)),
            (_("languages"), _labels(rule.languages, settings.LANGUAGES)),
            (_("hours"), hours),
        ]
        return "; ".join(f"{name}: {values}" for name, values in parts if values) or _("any")

    @admin.display(description=_("actions"))
    def actions_summary(self, rule: RoutingRule) -> str:
        priority = rule.get_priority_display() if rule.priority else ""
        parts = [
            (_("department"), str(rule.department) if rule.department_id else ""),
            (_("priority"), priority or (_("raise one step") if rule.raise_priority else "")),
            (_("tags"), ", ".join(rule.tags)),
            (_("skills"), ", ".join(f"{k} {v}+" for k, v in rule.required_skills.items())),
            (_("approval"), _approval_summary(rule)),
        ]
        return "; ".join(f"{name}: {values}" for name, values in parts if values) or "-"


def _approval_summary(rule: RoutingRule) -> str:
    if not rule.requires_approval:
        return ""
    return str(rule.approver_group) if rule.approver_group_id else str(_("department leads"))


def _labels(values: list, choices) -> str:
    labels = dict(choices)
    return ", ".join(str(labels.get(value, value)) for value in values)


# The agent list with each agent's open load against capacity: routing's view of the pool, so
# the agents' admin (accounts, below the requests) is extended here rather than importing up.
admin.site.unregister(Agent)


@admin.register(Agent)
class AgentLoadAdmin(AgentAdmin):
    list_display = ["__str__", "username", "availability", "load", "department_names"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_load=Count(
                    "assigned_requests",
                    filter=Q(assigned_requests__state__in=WORKING),
                    distinct=True,
                )
            )
        )

    @admin.display(description=_("open load / capacity"), ordering="open_load")
    def load(self, agent: Agent) -> str:
        return f"{agent.open_load} / {agent.capacity}"
