"""PDCA cycle bodies in and out of the API."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from apps.api.strict_input import RefusesUnknownFields
from apps.improvement.models import Problem
from apps.quality.scorecard import INDICATORS
from apps.simulation.models import Decision, Direction, ImprovementCycle, Scenario
from apps.simulation.pdca.services import MAX_DAYS, MIN_DAYS


class CyclePlanSerializer(RefusesUnknownFields, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    indicator = serializers.ChoiceField(choices=list(INDICATORS), help_text="A scorecard KPI key.")
    target_value = serializers.FloatField()
    direction = serializers.ChoiceField(
        choices=Direction.values, required=False, help_text="Default: the indicator's good side."
    )
    baseline_days = serializers.IntegerField(min_value=MIN_DAYS, max_value=MAX_DAYS, default=28)
    problem = serializers.PrimaryKeyRelatedField(queryset=Problem.objects.all(), required=False)
    scenario = serializers.PrimaryKeyRelatedField(queryset=Scenario.objects.all(), required=False)
    predicted_value = serializers.FloatField(required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True, is_staff=True), required=False
    )


class CycleChangeSerializer(RefusesUnknownFields, serializers.Serializer):
    change = serializers.CharField(max_length=10000)
    changed_on = serializers.DateField()


class CycleDecisionSerializer(RefusesUnknownFields, serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.values)
    note = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    next_title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CycleSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", default=None)
    planned_by = serializers.CharField(source="planned_by.username", default=None)
    change_recorded_by = serializers.CharField(source="change_recorded_by.username", default=None)
    checked_by = serializers.CharField(source="checked_by.username", default=None)
    decided_by = serializers.CharField(source="decided_by.username", default=None)

    class Meta:
        model = ImprovementCycle
        fields = [
            "id",
            "title",
            "state",
            "problem",
            "owner",
            "indicator",
            "target_value",
            "direction",
            "baseline_days",
            "scenario",
            "predicted_value",
            "prediction",
            "change",
            "changed_on",
            "check_due",
            "results",
            "decision",
            "decision_note",
            "next_cycle",
            "planned_by",
            "planned_at",
            "change_recorded_by",
            "change_recorded_at",
            "checked_by",
            "checked_at",
            "decided_by",
            "decided_at",
            "closed_at",
        ]
        read_only_fields = fields
