"""URLs of the request API under /api/v1/."""

from django.urls import path

from apps.tickets.api import attachment_views, relation_views, views

urlpatterns = [
    path("requests/", views.RequestListCreate.as_view(), name="request-list"),
    path("requests/<str:ref>/", views.RequestDetail.as_view(), name="request-detail"),
    path("requests/<str:ref>/messages/", views.RequestMessages.as_view(), name="request-messages"),
    path(
        "requests/<str:ref>/transitions/<str:name>/",
        views.RequestTransition.as_view(),
        name="request-transition",
    ),
    path(
        "requests/<str:ref>/attachments/",
        attachment_views.RequestAttachments.as_view(),
        name="request-attachments",
    ),
    path(
        "requests/<str:ref>/attachments/<int:id>/",
        attachment_views.AttachmentDownload.as_view(),
        name="request-attachment",
    ),
    path("requests/<str:ref>/merge/", relation_views.RequestMerge.as_view(), name="request-merge"),
    path("requests/<str:ref>/links/", relation_views.RequestLinks.as_view(), name="request-links"),
    path(
        "requests/<str:ref>/links/<str:other>/",
        relation_views.RequestLinkDetail.as_view(),
        name="request-link-detail",
    ),
    path("requests/<str:ref>/feedback/", views.RequestFeedback.as_view(), name="request-feedback"),
    path("queue/", views.Queue.as_view(), name="queue"),
    path("categories/", views.CategoryList.as_view(), name="category-list"),
]
