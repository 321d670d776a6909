"""A Content-Security-Policy on the admin's pages (Django 5.2 has none built in): scripts, styles,
images and forms from the desk itself only, no plugins, no framing.

`'unsafe-inline'` stays in script-src while admin templates carry inline scripts (the FAQ
suggestions panel's script, the language selector's onchange); moving them to static files lets
SERVICEDESK_ADMIN_CSP drop it."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class AdminContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.SERVICEDESK_ADMIN_CSP
        if policy and request.path_info.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", policy)
        return response
