"""The notification preferences API: which kinds a person also gets by e-mail."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from apps.api.strict_input import RefusesUnknownFields
from apps.notifications.kinds import NotificationKind, emailed_by_default
from apps.notifications.models import NotificationPreference
from apps.notifications.preferences import do_set_email_choices, email_choices

_EXAMPLE = [
    {"kind": "agent_reply", "name": "An agent replied", "email": True, "default": True},
    {"kind": "request_resolved", "name": "Request resolved", "email": False, "default": True},
]


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices, read_only=True)
    name = serializers.CharField(read_only=True, help_text="The kind in the reader's language.")
    email = serializers.BooleanField(
        read_only=True, help_text="Sent by e-mail as well as in the app."
    )
    default = serializers.BooleanField(
        read_only=True, help_text="Whether the kind is e-mailed when the person has not chosen."
    )


# Every kind by name, nothing else (OpenAPI 3.0 has no `propertyNames`); each person may set
# only the kinds their role receives, which no schema can say per caller: another kind is a 400
# naming it.
EMAIL_CHOICES = {
    "type": "object",
    "properties": {kind: {"type": "boolean"} for kind in NotificationKind.values},
    "additionalProperties": False,
}


@extend_schema_field(EMAIL_CHOICES)
class EmailChoicesField(serializers.DictField):
    child = serializers.BooleanField()


class PreferenceUpdateSerializer(RefusesUnknownFields, serializers.Serializer):
    email = EmailChoicesField(
        required=False,
        default=dict,
        help_text="{kind: true or false}; kinds left out keep their setting (an empty "
        "PATCH changes nothing).",
    )


def _listed(choices: dict[str, bool]) -> list[dict]:
    labels = dict(NotificationKind.choices)
    return [
        {"kind": k, "name": str(labels[k]), "email": v, "default": emailed_by_default(k)}
        for k, v in choices.items()
    ]


class NotificationPreferences(generics.GenericAPIView):
    """Your choice, per kind of notification you can receive, of getting it by e-mail too
    (every notification is always in the app)."""

    permission_classes = [IsAuthenticated]
    serializer_class = PreferenceSerializer
    # Only for the schema generator: the view reads the person's choices, not a queryset.
    queryset = NotificationPreference.objects.none()
    # A few kinds per person: one list, not a page.
    pagination_class = None

    @extend_schema(
        tags=["notifications"],
        summary="Which of your notifications come by e-mail",
        responses={200: PreferenceSerializer(many=True)},
        examples=[OpenApiExample("Preferences", response_only=True, value=_EXAMPLE)],
    )
    def get(self, request):
        return Response(_listed(email_choices(request.user)))

    @extend_schema(
        tags=["notifications"],
        summary="Choose which of your notifications come by e-mail",
        request=PreferenceUpdateSerializer,
        responses={200: PreferenceSerializer(many=True)},
        examples=[
            OpenApiExample(
                "No mail when resolved",
                request_only=True,
                value={"email": {"request_resolved": False}},
            )
        ],
    )
    def patch(self, request):
        body = PreferenceUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        choices = do_set_email_choices(user=request.user, choices=body.validated_data["email"])
        return Response(_listed(choices))
