"""Input and output shapes of the improvement API."""

from rest_framework import serializers

from apps.accounts.models import Department
from apps.api.strict_input import RefusesUnknownFields
from apps.improvement.models import Indicator, Problem, ProblemEvent, RequestForecast
from apps.quality.models import QualityAlert
from apps.tickets.models import Category, ServiceRequest


class ForecastSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="request.reference")
    state = serializers.CharField(source="request.state")
    department = serializers.IntegerField(source="request.department_id", allow_null=True)

    class Meta:
        model = RequestForecast
        fields = [
            "reference",
            "state",
            "department",
            "computed_at",
            "remaining_seconds",
            "remaining_p90_seconds",
            "next_step",
            "expected_at",
            "deadline",
            "risk",
            "at_risk",
            "explanation",
            "warned_at",
        ]
        read_only_fields = fields


class ForecastQuerySerializer(serializers.Serializer):
    at_risk = serializers.BooleanField(required=False, default=False)


class StaffingQuerySerializer(serializers.Serializer):
    weeks = serializers.IntegerField(required=False, min_value=1, max_value=8)
    department = serializers.IntegerField(required=False, min_value=1)
    target_minutes = serializers.FloatField(required=False, min_value=1, max_value=10080)
    target_share = serializers.FloatField(required=False, min_value=0.01, max_value=0.999)
    history_weeks = serializers.IntegerField(required=False, min_value=1, max_value=52)


class ProblemEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = ProblemEvent
        fields = ["seq", "transition", "from_state", "to_state", "actor", "actor_role", "at"]
        read_only_fields = fields


class ProblemSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    owner = serializers.CharField(source="owner.username", default=None)
    requests = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    log = ProblemEventSerializer(source="events", many=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "source",
            "quality_alert",
            "theme",
            "department",
            "category",
            "requests",
            "root_cause",
            "corrective_action",
            "owner",
            "due_date",
            "indicator",
            "state",
            "version",
            "created_at",
            "implemented_at",
            "closed_at",
            "verification",
            "allowed_transitions",
            "log",
        ]
        read_only_fields = fields

    def get_requests(self, obj) -> list[str]:
        return [r.reference for r in obj.requests.all()]

    def get_allowed_transitions(self, obj) -> list[str]:
        return obj.transitions_for(self.context["actor"])


class _ProblemFields(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    root_cause = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    corrective_action = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    indicator = serializers.ChoiceField(choices=Indicator.choices, required=False)


class ProblemCreateSerializer(RefusesUnknownFields, _ProblemFields):
    quality_alert = serializers.PrimaryKeyRelatedField(
        queryset=QualityAlert.objects.all(), required=False, allow_null=True
    )
    theme = serializers.CharField(max_length=300, required=False, allow_blank=True)
    requests = serializers.PrimaryKeyRelatedField(
        queryset=ServiceRequest.objects.all(), many=True, required=False
    )
    feedback = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text="Feedback ids (a theme's comment_ids): their requests are linked.",
    )


class ProblemUpdateSerializer(RefusesUnknownFields, _ProblemFields):
    title = serializers.CharField(max_length=200, required=False)
    version = serializers.IntegerField(required=False, min_value=1)


class ProblemTransitionSerializer(RefusesUnknownFields, serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
