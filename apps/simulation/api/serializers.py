"""Scenario bodies in and out of the API."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.api.strict_input import RefusesUnknownFields
from apps.core.errors import InvalidData
from apps.simulation.added_steps import (
    ADDABLE,
    AFTER,
    FIT,
    MAX_HOURS,
    MAX_SPREAD,
    check_add_step,
)
from apps.simulation.changes import (
    BAND_HOURS,
    HOURS_PER_DAY,
    MAX_AGENTS,
    MAX_BUDGET,
    MIN_BUDGET,
    SKIPPABLE,
    STRATEGIES,
)
from apps.simulation.models import Scenario

AGENTS = {"type": "integer", "minimum": 0, "maximum": MAX_AGENTS}


@extend_schema_field(
    {
        "oneOf": [
            AGENTS,
            {
                "type": "array",
                "items": AGENTS,
                "minItems": HOURS_PER_DAY,
                "maxItems": HOURS_PER_DAY,
            },
        ]
    }
)
class AgentsField(serializers.Field):
    """Agents for every hour, or a list of the 24 hours of the day (UTC)."""

    default_error_messages = {
        "invalid": _("Agents: a whole number from 0 to {max}, or a list of 24 of them."),
    }

    def to_internal_value(self, data):
        shifts = data if isinstance(data, list) else [data]
        whole = all(isinstance(n, int) and not isinstance(n, bool) for n in shifts)
        if (
            not whole
            or not all(0 <= n <= MAX_AGENTS for n in shifts)
            or (isinstance(data, list) and len(data) != HOURS_PER_DAY)
        ):
            self.fail("invalid", max=MAX_AGENTS)
        return data

    def to_representation(self, value):
        return value


STEP = {
    "type": "object",
    "required": ["state", "share", "hours"],
    "additionalProperties": False,
    "properties": {
        "state": {"type": "string", "enum": list(ADDABLE)},
        "after": {"type": "string", "enum": list(AFTER)},
        "categories": {"type": "array", "items": {"type": "string"}},
        "share": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1},
        "hours": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["median"],
                    "additionalProperties": False,
                    "properties": {
                        "median": {
                            "type": "number",
                            "minimum": 0,
                            "exclusiveMinimum": True,
                            "maximum": MAX_HOURS,
                        },
                        "spread": {"type": "number", "minimum": 0, "maximum": MAX_SPREAD},
                    },
                },
                {"type": "string", "enum": [FIT]},
            ]
        },
        "department": {"type": "string", "description": "A consult's department id."},
    },
}


@extend_schema_field({"oneOf": [STEP, {"type": "array", "items": STEP, "minItems": 1}]})
class AddStepField(serializers.Field):
    """A step added to the path, or a list of them (apps/simulation/added_steps.py); refused
    with the same sentences as the admin."""

    def to_internal_value(self, data):
        try:
            check_add_step(data)
        except InvalidData as error:
            raise serializers.ValidationError(error.message) from None
        return data

    def to_representation(self, value):
        return value


class OptimiseStaffingSerializer(RefusesUnknownFields, serializers.Serializer):
    """The staffing search run after the other changes (docs/simulation.md)."""

    target_share = serializers.FloatField(
        min_value=0.01, max_value=0.99, required=False, help_text="0.9 by default."
    )
    band_hours = serializers.ChoiceField(choices=BAND_HOURS, required=False)
    budget = serializers.IntegerField(min_value=MIN_BUDGET, max_value=MAX_BUDGET, required=False)


class ScenarioChangesSerializer(RefusesUnknownFields, serializers.Serializer):
    """What a scenario changes (docs/simulation.md, Scenarios); every part optional."""

    agents = serializers.DictField(
        child=AgentsField(),
        required=False,
        help_text="Agents per department id: one number, or one per hour of the day (UTC).",
    )
    arrival_growth = serializers.FloatField(
        min_value=-0.99, max_value=10, required=False, help_text="0.2: 20 % more requests."
    )
    route = serializers.DictField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="Category id to the department id its requests go to first.",
    )
    bot_coverage = serializers.FloatField(min_value=0, max_value=1, required=False)
    skip_states = serializers.ListField(
        child=serializers.ChoiceField(choices=SKIPPABLE), required=False, max_length=len(SKIPPABLE)
    )
    add_step = AddStepField(
        required=False,
        help_text="A step added: an approval or a consult, for a share of the requests leaving "
        "a state (docs/simulation.md).",
    )
    resolution_hours = serializers.DictField(
        child=serializers.FloatField(min_value=0.01, max_value=24 * 365),
        required=False,
        help_text="Resolution target in business hours per priority.",
    )
    first_response_hours = serializers.DictField(
        child=serializers.FloatField(min_value=0.01, max_value=24 * 365),
        required=False,
        help_text="First-response target in business hours per priority.",
    )
    next_response_hours = serializers.DictField(
        child=serializers.FloatField(min_value=0.01, max_value=24 * 365),
        required=False,
        help_text="Next-response target (after a customer's reply) in business hours per priority.",
    )
    skills = serializers.DictField(
        child=serializers.DictField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_AGENTS)
        ),
        required=False,
        help_text=(
            'Agents added per department id, by the categories they can work: {"3": {"7": 2}} '
            'gives department 3 two agents for category 7 ("7,8": both; "*": any category).'
        ),
    )
    routing_strategy = serializers.DictField(
        child=serializers.ChoiceField(choices=STRATEGIES),
        required=False,
        help_text=(
            'How each department id\'s requests reach an agent: {"3": "round_robin"} gives '
            "them in turn, busy or not; least_loaded and skills: the first free agent; manual: "
            "picked up after the log's delay (docs/simulation.md)."
        ),
    )
    handoff_refusals = serializers.DictField(
        child=serializers.FloatField(min_value=0, max_value=1),
        required=False,
        help_text=(
            'The share of a handoff pair\'s handoffs declined or expired: {"consult|3>4": 0.1} '
            "(the kinds consult and transfer, from department 3 to 4)."
        ),
    )
    optimise_staffing = OptimiseStaffingSerializer(required=False)


class ScenarioCreateSerializer(RefusesUnknownFields, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    changes = ScenarioChangesSerializer()
    fit_days = serializers.IntegerField(min_value=7, max_value=730, default=60)
    test_days = serializers.IntegerField(min_value=7, max_value=365, default=40)
    days = serializers.IntegerField(min_value=1, max_value=365, default=30)
    replications = serializers.IntegerField(min_value=2, max_value=50, default=10)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, default=1)


class ScenarioSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = Scenario
        fields = [
            "id",
            "name",
            "description",
            "changes",
            "fit_days",
            "test_days",
            "days",
            "replications",
            "seed",
            "status",
            "created_by",
            "created_at",
            "finished_at",
            "validation",
            "results",
            "error",
        ]
        read_only_fields = fields
