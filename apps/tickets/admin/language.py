"""The admin's language per agent: chosen once, kept on the agent, applied from the session."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from apps.accounts.models import Agent

SESSION_KEY = "servicedesk_language"
LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


class AgentLanguageMiddleware(LocaleMiddleware):
    """The language the signed-in agent chose (kept in the session, so no query per request);
    without a choice, Django's own order: URL prefix, cookie, the browser's Accept-Language."""

    def process_request(self, request):
        session = getattr(request, "session", None)
        chosen = session.get(SESSION_KEY) if session is not None else None
        if chosen not in LANGUAGE_CODES:
            return super().process_request(request)
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()
        return None


@receiver(user_logged_in, dispatch_uid="tickets_admin_agent_language")
def remember_language(sender, request, user, **kwargs):
    """Copy the agent's saved choice into the new session."""
    if request is None or not hasattr(request, "session"):
        return
    language = Agent.objects.filter(user=user).values_list("language", flat=True).first()
    if language in LANGUAGE_CODES:
        request.session[SESSION_KEY] = language


def language_view(request):
    """Save the agent's choice ("" follows the browser) and go back where they were."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = request.POST.get("language", "")
    if language not in LANGUAGE_CODES:
        language = ""
    Agent.objects.filter(user=request.user).update(language=language)
    if language:
        request.session[SESSION_KEY] = language
    else:
        request.session.pop(SESSION_KEY, None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/admin/"
    return HttpResponseRedirect(target)
