"""URL map: the agents' admin, the health check, the API (v1, schema, docs), mail webhooks."""

from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found

from apps.api.errors import error_body
from apps.tickets.link_views import request_link


def healthz(request):
    """Liveness for load balancers and the run-command test: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def not_found(request, exception):
    """API clients get the API's JSON error shape for unknown URLs too."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "No such endpoint."), status=404)
    return page_not_found(request, exception)


handler404 = not_found

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("servicedesk.api_urls")),
    # Inbound mail from providers' webhooks (apps/mail/webhooks.py, docs/mail.md).
    path("mail/anymail/", include("apps.mail.urls")),
    # Signed one-click links mailed to customers (apps/tickets/links.py).
    path("r/<str:token>/", request_link, name="request-link"),
]
