"""Output shapes of the request API (the bodies it takes: inputs.py). They build their fields
once per class (`FieldsBuiltOnce`)."""

from datetime import datetime

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.api.fields_once import FieldsBuiltOnce
from apps.lifecycle.priority import Priority
from apps.lifecycle.reference import format_reference
from apps.lifecycle.states import State
from apps.sla.models import ClockKind, ClockState
from apps.sla.timers import schedule_of
from apps.tickets import extensions
from apps.tickets.api import representation
from apps.tickets.models import Attachment, Category, Message, ServiceRequest
from apps.tickets.transition_table import allowed_transitions

# --- output ------------------------------------------------------------------------------------


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, obj) -> str:
        return obj.user.get_full_name() or obj.user.get_username()


class ClockSummarySerializer(FieldsBuiltOnce, serializers.Serializer):
    """One SLA clock as the caller sees it now; business time on the policy's calendar."""

    target = serializers.ChoiceField(choices=ClockKind.choices)
    state = serializers.ChoiceField(choices=ClockState.choices)
    deadline = serializers.DateTimeField(allow_null=True, help_text="Empty while paused.")
    target_seconds = serializers.IntegerField()
    elapsed_business_seconds = serializers.IntegerField()
    remaining_business_seconds = serializers.IntegerField(help_text="Negative when overdue.")
    used_percent = serializers.IntegerField()
    warning = serializers.BooleanField()
    breached = serializers.BooleanField()


class AttachmentSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A file attached to a request; its bytes are at `download` (for the same callers)."""

    message = serializers.IntegerField(
        source="message_id",
        allow_null=True,
        help_text="The message it came with; empty when attached at submission.",
    )
    internal = serializers.BooleanField(help_text="Came with an internal note (agents only).")
    uploaded_by = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField(help_text="Where to download the file.")

    class Meta:
        model = Attachment
        fields = [
            "id",
            "name",
            "size",
            "content_type",
            "sha256",
            "message",
            "internal",
            "uploaded_by",
            "uploader_role",
            "created_at",
            "download",
        ]
        read_only_fields = fields

    def get_uploaded_by(self, obj) -> str | None:
        user = obj.uploaded_by
        return None if user is None else user.get_full_name() or user.get_username()

    def get_download(self, obj) -> str:
        return f"/api/v1/requests/{format_reference(obj.request_id)}/attachments/{obj.pk}/"


class DeclaredAttachmentSerializer(serializers.Serializer):
    """Legacy: file metadata a client declared (no file behind it)."""

    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()


class RequestSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    # Labels from the choices enums: Django's get_<field>_display rebuilds a dict of every
    # (lazily translated) label on each call, a sixth of a list page's time.
    state_label = serializers.SerializerMethodField()
    priority_label = serializers.SerializerMethodField()
    category = NamedSerializer(read_only=True, allow_null=True)
    department = NamedSerializer(read_only=True, allow_null=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    customer = PersonSerializer(read_only=True)
    allowed_transitions = serializers.SerializerMethodField(
        help_text="Transitions the caller may run now."
    )
    sla = serializers.SerializerMethodField(help_text="The request's SLA clocks.")
    expected_by = serializers.SerializerMethodField(
        help_text="When the desk expects to resolve the open request (learned from its history)."
    )
    attachments = AttachmentSerializer(
        many=True, read_only=True, help_text="The files you may see, oldest first."
    )
    merged_into = serializers.SerializerMethodField(
        help_text="The reference of the request this one was merged into as a duplicate "
        "(it is closed; the conversation goes on there), else empty."
    )
    declared_attachments = DeclaredAttachmentSerializer(
        many=True,
        read_only=True,
        help_text="Deprecated: file metadata declared by clients before files could be "
        "uploaded; no file behind it.",
    )

    class Meta:
        model = ServiceRequest
        fields = [
            "reference",
            "subject",
            "description",
            "state",
            "state_label",
            "priority",
            "priority_label",
            "impact",
            "urgency",
            "channel",
            "category",
            "department",
            "assignee",
            "customer",
            "escalation_level",
            "reopen_count",
            "attachments",
            "declared_attachments",
            "created_at",
            "state_changed_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "merged_into",
            "version",
            "allowed_transitions",
            "sla",
            "expected_by",
        ]
        read_only_fields = fields

    def get_state_label(self, obj) -> str:
        return representation.label(self, State, obj.state)

    def get_priority_label(self, obj) -> str:
        return representation.label(self, Priority, obj.priority)

    def get_allowed_transitions(self, obj) -> list[str]:
        return allowed_transitions(obj, self.context["actor"])

    def get_merged_into(self, obj) -> str | None:
        return format_reference(obj.merged_into_id) if obj.merged_into_id else None

    def get_expected_by(self, obj) -> datetime | None:
        return extensions.expected_by(obj)

    @extend_schema_field(ClockSummarySerializer(many=True))
    def get_sla(self, obj) -> list[dict]:
        now = self.context.setdefault("now", timezone.now())
        return [
            ClockSummarySerializer(clock.summary(schedule_of(clock.policy), now)).data
            for clock in obj.sla_clocks.all()
        ]

    def to_representation(self, instance):
        """The dict DRF's `Serializer.to_representation` builds, without its per-field
        machinery (about half of a list page's rendering): plain fields through their own DRF
        field's `to_representation`, the nested ones written out, empty lists as such; any
        other field through DRF as before. tests/tickets/test_api_representation.py compares
        both field by field on a varied set of requests and callers."""
        return representation.render(self, instance)


class MessageSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    merged_from = serializers.SerializerMethodField(
        help_text="The reference of the request it was written on, when that one was merged "
        "into this one; else empty."
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "author",
            "author_role",
            "visibility",
            "body",
            "attachments",
            "merged_from",
            "created_at",
        ]
        read_only_fields = fields

    def get_merged_from(self, obj) -> str | None:
        return format_reference(obj.merged_from_id) if obj.merged_from_id else None

    def get_author(self, obj) -> str | None:
        if obj.author is None:
            return None
        return obj.author.get_full_name() or obj.author.get_username()


class LinkedRequestSerializer(serializers.Serializer):
    """A request linked to this one (or merged into it, or the one it was merged into)."""

    reference = serializers.CharField()
    subject = serializers.CharField()
    state = serializers.CharField(help_text="Its state, as `state` of a request.")
    relation = serializers.ChoiceField(
        choices=["related", "merged_here", "merged_into"],
        help_text="related: linked by an agent; merged_here: a duplicate merged into this "
        "request; merged_into: the request this one was merged into.",
    )


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name"]
        read_only_fields = fields
