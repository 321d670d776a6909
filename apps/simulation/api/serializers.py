"""Scenario bodies in and out of the API."""

from rest_framework import serializers

from apps.api.strict_input import RefusesUnknownFields
from apps.simulation.models import Scenario


class ScenarioCreateSerializer(RefusesUnknownFields, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    changes = serializers.DictField(
        help_text="agents, arrival_growth, route, bot_coverage, skip_states, resolution_hours "
        "(docs/simulation.md, Scenarios)."
    )
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
