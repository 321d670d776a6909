"""URLs of the notifications API under /api/v1/."""

from django.urls import path

from apps.notifications import api, preferences_api, webhooks_api

urlpatterns = [
    path("notifications/", api.NotificationList.as_view(), name="notification-list"),
    path(
        "notifications/read-all/", api.NotificationReadAll.as_view(), name="notification-read-all"
    ),
    path(
        "notifications/preferences/",
        preferences_api.NotificationPreferences.as_view(),
        name="notification-preferences",
    ),
    path("notifications/<int:pk>/read/", api.NotificationRead.as_view(), name="notification-read"),
    path(
        "webhooks/subscriptions/",
        webhooks_api.SubscriptionList.as_view(),
        name="webhook-subscription-list",
    ),
    path(
        "webhooks/subscriptions/<int:pk>/",
        webhooks_api.SubscriptionDetail.as_view(),
        name="webhook-subscription-detail",
    ),
    path(
        "webhooks/subscriptions/<int:pk>/rotate-secret/",
        webhooks_api.SubscriptionRotateSecret.as_view(),
        name="webhook-subscription-rotate-secret",
    ),
    path(
        "webhooks/subscriptions/<int:pk>/deliveries/",
        webhooks_api.SubscriptionDeliveries.as_view(),
        name="webhook-subscription-deliveries",
    ),
]
