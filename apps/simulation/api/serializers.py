"""Scenario bodies in and out of the API."""

from rest_framework import serializers

from apps.api.strict_input import RefusesUnknownFields
from apps.simulation.changes import MAX_AGENTS, SKIPPABLE
from apps.simulation.models import Scenario


class ScenarioChangesSerializer(RefusesUnknownFields, serializers.Serializer):
    """What a scenario changes (docs/simulation.md, Scenarios); every part optional."""

    agents = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_AGENTS),
        required=False,
        help_text="Agents per department id.",
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
    resolution_hours = serializers.DictField(
        child=serializers.FloatField(min_value=0.01, max_value=24 * 365),
        required=False,
        help_text="Resolution target in business hours per priority.",
    )


class ScenarioCreateSerializer(RefusesUnknownFields, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    changes = ScenarioChangesSerializer()
    fit_days = serializers.IntegerField(min_value=7, max_value=730, default=90)
    test_days = serializers.IntegerField(min_value=7, max_value=365, default=30)
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
