"""The inbound-mail webhooks of django-anymail, each answering only when its provider is named
in `SERVICEDESK_MAIL_WEBHOOK_PROVIDERS` (an unconfigured provider's view fails with a server
error on every request; here it is a 404)."""

from anymail import urls as anymail_urls
from django.conf import settings
from django.http import Http404
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt

app_name = "anymail"
_INBOUND = "_inbound_webhook"


def _guarded(provider: str, view):
    """The view, for providers that are switched on (read on every request)."""

    @csrf_exempt
    def webhook(request, *args, **kwargs):
        if provider not in settings.SERVICEDESK_MAIL_WEBHOOK_PROVIDERS:
            raise Http404
        return view(request, *args, **kwargs)

    return webhook


urlpatterns = [
    URLPattern(
        pattern.pattern,
        _guarded((pattern.name or "").removesuffix(_INBOUND), pattern.callback),
        pattern.default_args,
        pattern.name,
    )
    for pattern in anymail_urls.urlpatterns
    if isinstance(pattern, URLPattern) and (pattern.name or "").endswith(_INBOUND)
]
