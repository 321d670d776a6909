"""URLs of the analytics API under /api/v1/."""

from django.urls import path

from apps.analytics.api import views

urlpatterns = [
    path("analytics/metrics/", views.Metrics.as_view(), name="analytics-metrics"),
    path("analytics/series/", views.Series.as_view(), name="analytics-series"),
    path("analytics/process-map/", views.ProcessMap.as_view(), name="analytics-process-map"),
    path("analytics/variants/", views.Variants.as_view(), name="analytics-variants"),
    path("analytics/bottleneck/", views.Bottleneck.as_view(), name="analytics-bottleneck"),
    path("analytics/export/", views.Export.as_view(), name="analytics-export"),
    path("analytics/imports/", views.Imports.as_view(), name="analytics-imports"),
]
