"""URLs of the handoffs API under /api/v1/."""

from django.urls import path

from apps.handoffs.api import views

urlpatterns = [
    path(
        "requests/<str:ref>/handoffs/",
        views.RequestHandoffs.as_view(),
        name="request-handoffs",
    ),
    path("handoffs/", views.HandoffList.as_view(), name="handoff-list"),
    path("handoffs/inbox/", views.HandoffInbox.as_view(), name="handoff-inbox"),
    path("handoffs/<int:pk>/", views.HandoffDetail.as_view(), name="handoff-detail"),
    path(
        "handoffs/<int:pk>/transitions/<str:name>/",
        views.HandoffTransition.as_view(),
        name="handoff-transition",
    ),
]
