"""URLs of the notifications API under /api/v1/."""

from django.urls import path

from apps.notifications import api, preferences_api

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
]
