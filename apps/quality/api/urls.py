"""URLs of the quality API under /api/v1/quality/."""

from django.urls import path

from apps.quality.api import views

urlpatterns = [
    path("quality/control-charts/", views.ControlCharts.as_view(), name="quality-control-charts"),
    path("quality/alerts/", views.Alerts.as_view(), name="quality-alerts"),
    path(
        "quality/alerts/<int:pk>/acknowledge/",
        views.AcknowledgeAlert.as_view(),
        name="quality-alert-acknowledge",
    ),
    path("quality/feedback/", views.FeedbackAnalysis.as_view(), name="quality-feedback"),
    path("quality/scorecard/", views.Scorecard.as_view(), name="quality-scorecard"),
]
