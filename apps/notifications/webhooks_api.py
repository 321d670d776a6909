"""The staff API for webhook subscriptions: list, create, change, delete, rotate the secret
(shown on creation and on rotation only), and each subscription's delivery log."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from apps.api.idempotency import idempotent_post
from apps.api.permissions import IsStaff
from apps.api.strict_input import RefusesUnknownFields
from apps.notifications.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from apps.notifications.subscriptions import (
    do_create_subscription,
    do_delete_subscription,
    do_rotate_secret,
    do_update_subscription,
)
from apps.notifications.webhook_types import WebhookEventType

TAGS = ["webhooks"]
_SUBSCRIPTION = {
    "id": 7,
    "name": "Ops chat",
    "url": "https://hooks.example.com/servicedesk",
    "event_types": ["request.created", "request.state_changed"],
    "internal": False,
    "active": True,
    "created_at": "2026-12-04T14:05:00Z",
}
_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
_DELIVERY = {
    "id": 8812,
    "webhook_id": "msg_8812",
    "type": "request.created",
    "status": "delivered",
    "attempts": 1,
    "last_status_code": 200,
    "last_error": "",
    "occurred_at": "2026-12-04T14:05:00.120000Z",
    "created_at": "2026-12-04T14:05:00.180000Z",
    "last_attempt_at": "2026-12-04T14:05:00.240000Z",
    "next_attempt_at": None,
    "delivered_at": "2026-12-04T14:05:00.310000Z",
    "payload": {"reference": "SR-000123", "subject": "VPN down", "state": "new"},
}
_READ = OpenApiExample("A subscription", response_only=True, value=_SUBSCRIPTION)
_CHANGE = OpenApiExample("Pause it", request_only=True, value={"active": False})
_ROTATED = OpenApiExample("Rotated", response_only=True, value={**_SUBSCRIPTION, "secret": _SECRET})


class SubscriptionSerializer(RefusesUnknownFields, serializers.ModelSerializer):
    event_types = serializers.ListField(
        source="event_kinds",
        child=serializers.ChoiceField(choices=WebhookEventType.choices),
        required=False,
        max_length=len(WebhookEventType.choices),
        help_text="The event types to receive; empty (the default) means every type.",
    )
    url = serializers.URLField(
        max_length=500,
        help_text="An http(s) URL on a public address: loopback, private and link-local "
        "addresses are refused (after resolving the name) unless the desk allows them.",
    )
    internal = serializers.BooleanField(
        required=False, help_text="Also receive internal notes as message.created."
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "event_types", "internal", "active", "created_at"]
        read_only_fields = ["id", "created_at"]


class SubscriptionWithSecretSerializer(SubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (Standard Webhooks, whsec_...): shown now and after a "
        "rotation only; keep it at the receiver to verify deliveries.",
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]


class DeliverySerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="event_kind")
    webhook_id = serializers.CharField(source="message_id", help_text="The webhook-id header.")
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "type",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "occurred_at",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "payload",
        ]
        read_only_fields = fields


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="List webhook subscriptions (staff)",
        examples=[OpenApiExample("A subscription", response_only=True, value=_SUBSCRIPTION)],
    ),
)
class SubscriptionList(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = SubscriptionSerializer
    queryset = WebhookSubscription.objects.order_by("name", "pk")

    @extend_schema(
        tags=TAGS,
        summary="Create a webhook subscription (staff); the answer shows its secret once",
        request=SubscriptionSerializer,
        responses={201: SubscriptionWithSecretSerializer},
        examples=[
            OpenApiExample(
                "Created", response_only=True, value={**_SUBSCRIPTION, "secret": _SECRET}
            )
        ],
    )
    @idempotent_post
    def post(self, request):
        given = SubscriptionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        subscription = do_create_subscription(**given.validated_data)
        body = SubscriptionWithSecretSerializer(subscription).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(tags=TAGS, summary="Read a webhook subscription (staff)", examples=[_READ]),
    delete=extend_schema(
        tags=TAGS,
        summary="Delete a webhook subscription and its delivery log (staff)",
        # 204 has no body: the example is the answer for an id that does not exist.
        responses={
            204: OpenApiResponse(description="Deleted."),
            404: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="No such subscription.",
                examples=[
                    OpenApiExample(
                        "No such subscription",
                        value={"error": {"code": "not_found", "message": "Not found."}},
                    )
                ],
            ),
        },
    ),
)
class SubscriptionDetail(generics.RetrieveDestroyAPIView):
    permission_classes = [IsStaff]
    serializer_class = SubscriptionSerializer
    queryset = WebhookSubscription.objects.all()

    def perform_destroy(self, instance):
        do_delete_subscription(instance)

    @extend_schema(
        tags=TAGS,
        summary="Change a webhook subscription (staff; the fields given)",
        request=SubscriptionSerializer,
        responses={200: SubscriptionSerializer},
        examples=[_CHANGE, _READ],
    )
    def patch(self, request, pk: int):
        subscription = self.get_object()
        given = SubscriptionSerializer(subscription, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        subscription = do_update_subscription(subscription, **given.validated_data)
        return Response(SubscriptionSerializer(subscription).data)


class SubscriptionRotateSecret(generics.GenericAPIView):
    permission_classes = [IsStaff]
    serializer_class = SubscriptionWithSecretSerializer
    queryset = WebhookSubscription.objects.all()

    @extend_schema(
        tags=TAGS,
        summary="Give a subscription a new secret (staff); the old one signs too for a day",
        request=None,
        responses={200: SubscriptionWithSecretSerializer},
        examples=[_ROTATED],
    )
    @idempotent_post
    def post(self, request, pk: int):
        subscription = do_rotate_secret(self.get_object())
        return Response(SubscriptionWithSecretSerializer(subscription).data)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="A subscription's deliveries, newest first (staff)",
        examples=[OpenApiExample("A delivery", response_only=True, value=_DELIVERY)],
    )
)
class SubscriptionDeliveries(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = DeliverySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's pass
            return WebhookDelivery.objects.none()
        subscription = get_object_or_404(WebhookSubscription, pk=self.kwargs["pk"])
        return WebhookDelivery.objects.filter(subscription=subscription).order_by("-pk")
