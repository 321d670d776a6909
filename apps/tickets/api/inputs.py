"""Input shapes of the request API: the bodies its endpoints take, each refusing fields it does
not know (plain DRF serializers: each instance gets DRF's deep copy of the declared fields)."""

import posixpath

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.accounts.models import Customer
from apps.api.strict_input import RefusesUnknownFields
from apps.lifecycle.channel import Channel
from apps.lifecycle.priority import Level, Priority
from apps.tickets.models import Category


class DeclaredAttachmentInputSerializer(RefusesUnknownFields, serializers.Serializer):
    """Legacy input (`attachments` in a JSON create): metadata only, kept as declared."""

    name = serializers.CharField(max_length=255)
    size = serializers.IntegerField(min_value=0, max_value=10**12)
    content_type = serializers.CharField(max_length=100, required=False, default="")

    def validate_name(self, value: str) -> str:
        # Only the file's own name: no directories, no path traversal.
        name = posixpath.basename(value.replace("\\", "/")).strip()
        if name in ("", ".", ".."):
            raise serializers.ValidationError(_("A file name is required."))
        return name


class RequestCreateSerializer(RefusesUnknownFields, serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, default=""
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    impact = serializers.ChoiceField(choices=Level.choices, default=Level.MEDIUM)
    urgency = serializers.ChoiceField(choices=Level.choices, default=Level.MEDIUM)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    priority = serializers.ChoiceField(
        choices=Priority.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Agents only; customers give impact and urgency.",
    )
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Agents only: the customer the request is for.",
    )
    attachments = DeclaredAttachmentInputSerializer(
        many=True,
        required=False,
        default=list,
        max_length=20,
        help_text="Deprecated: file metadata only. Upload the files themselves as `files` "
        "in a multipart/form-data body.",
    )


FILES_HELP = (
    "The files to attach (repeat the field for each): checked on their content against the "
    "accepted types and limits; one refused file refuses the whole call."
)


def files_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        default=list,
        help_text=FILES_HELP,
    )


class RequestUploadSerializer(RequestCreateSerializer):
    """A create as multipart/form-data: the same fields, and the files."""

    attachments = None  # the legacy metadata is JSON only
    files = files_field()


class MessageCreateSerializer(RefusesUnknownFields, serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    internal = serializers.BooleanField(default=False, help_text="Agents only: an internal note.")


class MessageUploadSerializer(MessageCreateSerializer):
    """A message as multipart/form-data, with its files."""

    files = files_field()


class TransitionSerializer(RefusesUnknownFields, serializers.Serializer):
    """A transition's optional reason and version, and the data some transitions take."""

    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The version you saw; a newer one on the server is a 409 conflict.",
    )
    department = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="route, transfer"
    )
    assignee = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="assign, reassign: an agent id"
    )
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, help_text="reprioritize"
    )
    raise_priority = serializers.BooleanField(required=False, help_text="escalate")
    category = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="recategorize"
    )

    approval_department = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="require_approval: the department whose leads approve",
    )
    approval_group = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="require_approval: the group whose members approve (instead of leads)",
    )

    DATA_FIELDS = (
        "department",
        "assignee",
        "priority",
        "raise_priority",
        "category",
        "approval_department",
        "approval_group",
    )

    def transition_data(self) -> dict:
        return {k: self.validated_data[k] for k in self.DATA_FIELDS if k in self.validated_data}


class MergeSerializer(RefusesUnknownFields, serializers.Serializer):
    """Merging the request in the URL (the duplicate) into another."""

    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    into = serializers.CharField(
        max_length=30, help_text="The request to merge into: its reference or id."
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The version of the duplicate you saw (or send If-Match).",
    )


class LinkSerializer(RefusesUnknownFields, serializers.Serializer):
    to = serializers.CharField(max_length=30, help_text="The related request: reference or id.")


class FeedbackSerializer(RefusesUnknownFields, serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    created_at = serializers.DateTimeField(read_only=True)
