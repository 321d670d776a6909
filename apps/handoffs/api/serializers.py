"""Input and output shapes of the handoff API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import Department
from apps.api.strict_input import RefusesUnknownFields
from apps.handoffs.models import Handoff, HandoffKind, OLAClock, OLAClockKind


class _Named(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _RequestSummary(serializers.Serializer):
    """What the department asked for help sees of the request (it may not open it)."""

    reference = serializers.CharField()
    subject = serializers.CharField()
    state = serializers.CharField()
    priority = serializers.IntegerField()
    department = _Named(allow_null=True)


class OLAClockSerializer(serializers.ModelSerializer):
    target = serializers.ChoiceField(source="kind", choices=OLAClockKind.choices)
    warning = serializers.SerializerMethodField()
    breached = serializers.SerializerMethodField()
    met = serializers.BooleanField(allow_null=True, help_text="Empty while running.")

    class Meta:
        model = OLAClock
        fields = [
            "target",
            "target_seconds",
            "started_at",
            "deadline",
            "stopped_at",
            "warning",
            "breached",
            "met",
        ]
        read_only_fields = fields

    def get_warning(self, obj) -> bool:
        return obj.warned_at is not None

    def get_breached(self, obj) -> bool:
        return obj.breached_at is not None


def _name(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user is not None else None


class HandoffSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    request = _RequestSummary(read_only=True)
    from_department = _Named(read_only=True)
    to_department = _Named(read_only=True)
    requested_by = serializers.SerializerMethodField()
    accepted_by = serializers.SerializerMethodField()
    closed_by = serializers.SerializerMethodField()
    ola = OLAClockSerializer(source="ola_clocks", many=True, read_only=True)
    allowed_transitions = serializers.SerializerMethodField(
        help_text="Transitions the caller may run now."
    )

    class Meta:
        model = Handoff
        fields = [
            "id",
            "reference",
            "request",
            "kind",
            "state",
            "from_department",
            "to_department",
            "reason",
            "requested_by",
            "requested_at",
            "expires_at",
            "accepted_by",
            "accepted_at",
            "result",
            "closing_reason",
            "closed_by",
            "closed_at",
            "bounced",
            "version",
            "ola",
            "allowed_transitions",
        ]
        read_only_fields = fields

    def get_requested_by(self, obj) -> str | None:
        return _name(obj.requested_by)

    def get_accepted_by(self, obj) -> str | None:
        return _name(obj.accepted_by)

    def get_closed_by(self, obj) -> str | None:
        return _name(obj.closed_by)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_transitions(self, obj) -> list[str]:
        return obj.transitions_for(self.context["actor"])


class HandoffCreateSerializer(RefusesUnknownFields, serializers.Serializer):
    kind = serializers.ChoiceField(choices=HandoffKind.choices)
    to_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    reason = serializers.CharField(max_length=5000)


class HandoffTransitionSerializer(RefusesUnknownFields, serializers.Serializer):
    version = serializers.IntegerField(
        required=False, help_text="The version you saw; a newer one gives 409."
    )
    reason = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why you decline (required) or cancel.",
    )
    result = serializers.CharField(
        max_length=20000,
        required=False,
        allow_blank=True,
        default="",
        help_text="The consult's result (required to complete).",
    )
