"""Reads: the notifications a person may see (their own), unread first."""

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from apps.notifications.models import Notification


def list_notifications_for(user: Any) -> QuerySet[Notification]:
    """The user's own notifications: unread first, newest first within each; none for anyone
    not signed in. The request each names is joined for its reference."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return (
        Notification.objects.filter(recipient=user)
        .select_related("request")
        .order_by(unread.desc(), "-created_at", "-pk")
    )
