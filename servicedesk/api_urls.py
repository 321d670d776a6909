"""The API's URL map: every app's v1 endpoints, the OpenAPI schema and its offline docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from apps.api.auth import Me, ObtainToken, SignOut, SignOutEverywhere
from apps.api.availability import MyAvailability
from apps.knowledge.api import FaqSearch
from apps.privacy.api import MyExport

v1 = [
    path("auth/token/", ObtainToken.as_view(), name="auth-token"),
    path("auth/sign-out/", SignOut.as_view(), name="auth-sign-out"),
    path("auth/sign-out-everywhere/", SignOutEverywhere.as_view(), name="auth-sign-out-everywhere"),
    path("me/", Me.as_view(), name="me"),
    path("me/availability/", MyAvailability.as_view(), name="me-availability"),
    path("me/export/", MyExport.as_view(), name="me-export"),
    path("faq/search/", FaqSearch.as_view(), name="faq-search"),
    path("", include("apps.tickets.api.urls")),
    path("", include("apps.handoffs.urls")),
    path("", include("apps.macros.urls")),
    path("", include("apps.analytics.urls")),
    path("", include("apps.quality.api.urls")),
    path("", include("apps.improvement.urls")),
    path("", include("apps.simulation.urls")),
    path("", include("apps.notifications.urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
