"""URL map: the agents' admin, liveness and readiness, the API (v1, schema, docs), mail webhooks."""

from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.utils.translation import gettext as _
from django.views.defaults import bad_request, page_not_found, permission_denied, server_error

from apps.api.errors import error_body
from apps.tickets.link_views import request_link
from servicedesk.health import healthz, readyz
from servicedesk.metrics.views import metrics


# API clients get the API's JSON error shape for what Django answers outside DRF too: unknown
# URLs, a Host not allowed or another suspicious request, a CSRF or permission refusal, a crash.
def _api_json(request, code: str, message: str, status: int):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code, message), status=status)
    return None


def not_found(request, exception):
    answer = _api_json(request, "not_found", _("No such endpoint."), 404)
    return answer or page_not_found(request, exception)


def bad(request, exception):
    answer = _api_json(request, "bad_request", _("The request is malformed or not allowed."), 400)
    return answer or bad_request(request, exception)


def denied(request, exception):
    answer = _api_json(request, "forbidden", _("You may not do this."), 403)
    return answer or permission_denied(request, exception)


def crashed(request):
    answer = _api_json(request, "server_error", _("The server failed; it has been logged."), 500)
    return answer or server_error(request)


handler400, handler403, handler404, handler500 = bad, denied, not_found, crashed

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),  # to the configured scraper only
    path("admin/", admin.site.urls),
    path("api/", include("servicedesk.api_urls")),
    # Inbound mail from providers' webhooks (apps/mail/webhooks.py, docs/mail.md).
    path("mail/anymail/", include("apps.mail.urls")),
    # Signed one-click links mailed to customers (apps/tickets/links.py).
    path("r/<str:token>/", request_link, name="request-link"),
]
