"""The notifications API: a person's own in-app notifications (customers and agents alike),
unread first, and marking them read one by one or all at once."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from apps.api.filters import StrictBooleanField
from apps.api.idempotency import idempotent_post
from apps.notifications.kinds import NotificationKind
from apps.notifications.models import Notification
from apps.notifications.selectors import list_notifications_for
from apps.notifications.services import do_mark_notifications_read

_ONE = {
    "id": 41,
    "kind": "breach_risk",
    "title": "SR-000123 may breach its resolution target",
    "body": "Expected by 2026-12-04 17:30 UTC; due 16:00 UTC.",
    "request": "SR-000123",
    "created_at": "2026-12-04T14:05:00Z",
    "read": False,
    "read_at": None,
}


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(
        choices=NotificationKind.choices,
        help_text="What happened; new kinds may appear, so treat an unknown one as generic.",
    )
    request = serializers.SerializerMethodField(
        help_text="The reference of the request it is about (SR-000123), if any."
    )
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "request", "created_at", "read", "read_at"]
        read_only_fields = fields

    def get_request(self, notification: Notification) -> str | None:
        return notification.request.reference if notification.request is not None else None

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many unread notifications became read.")


def only_unread(value: str | None) -> bool:
    try:
        return bool(StrictBooleanField(required=False).clean(value))
    except DjangoValidationError as exc:
        raise serializers.ValidationError({"unread": exc.messages}) from None


class NotificationList(generics.ListAPIView):
    """Your notifications: unread first, newest first within each."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer

    def get_queryset(self):
        notifications = list_notifications_for(self.request.user)
        if only_unread(self.request.query_params.get("unread")):
            notifications = notifications.filter(read_at__isnull=True)
        return notifications

    @extend_schema(
        tags=["notifications"],
        summary="List your notifications, unread first",
        parameters=[OpenApiParameter("unread", bool, description="Only the unread ones (`true`).")],
        # drf-spectacular wraps it in the page, as it does the requests list's.
        examples=[OpenApiExample("A notification", response_only=True, value=_ONE)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationRead(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer

    def get_queryset(self):
        return list_notifications_for(self.request.user)

    @extend_schema(
        tags=["notifications"],
        summary="Mark one of your notifications read",
        request=None,
        responses={200: NotificationSerializer},
        examples=[
            OpenApiExample(
                "Read",
                response_only=True,
                value={**_ONE, "read": True, "read_at": "2026-12-04T14:20:00Z"},
            )
        ],
    )
    @idempotent_post
    def post(self, request, pk: int):
        notification = get_object_or_404(self.get_queryset(), pk=pk)
        do_mark_notifications_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)


class NotificationReadAll(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = MarkedSerializer

    @extend_schema(
        tags=["notifications"],
        summary="Mark all your notifications read",
        request=None,
        responses={200: MarkedSerializer},
        examples=[OpenApiExample("Marked", response_only=True, value={"marked": 3})],
    )
    @idempotent_post
    def post(self, request):
        marked = do_mark_notifications_read(user=request.user)
        return Response({"marked": marked}, status=status.HTTP_200_OK)
