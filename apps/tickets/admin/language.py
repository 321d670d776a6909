"""The admin's language per agent: chosen once, kept on the agent, applied from the session."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme

from apps.accounts.models import Agent
from apps.sla.models import BusinessCalendar
from apps.sla.models.calendars import time_zone_names

SESSION_KEY = "servicedesk_language"
TIME_ZONE_KEY = "servicedesk_time_zone"
LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


class AgentLanguageMiddleware(LocaleMiddleware):
    """The language the signed-in agent chose (kept in the session, so no query per request);
    without a choice, Django's own order: URL prefix, cookie, the browser's Accept-Language."""

    def process_request(self, request):
        session = getattr(request, "session", None)
        time_zone = session.get(TIME_ZONE_KEY) if session is not None else None
        if time_zone:
            timezone.activate(ZoneInfo(time_zone))
        else:
            timezone.deactivate()
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
    request.session[TIME_ZONE_KEY] = agent_time_zone()


def agent_time_zone() -> str:
    """The time zone the admin shows times in: `SERVICEDESK_ADMIN_TIME_ZONE`, else the desk's
    first business calendar with office hours (the desk's), else TIME_ZONE. Read once at
    sign-in."""
    chosen = getattr(settings, "SERVICEDESK_ADMIN_TIME_ZONE", "")
    if not chosen:
        chosen = (
            BusinessCalendar.objects.filter(always_open=False)
            .order_by("pk")
            .values_list("time_zone", flat=True)
            .first()
        )
    return chosen if chosen in time_zone_names() else settings.TIME_ZONE


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
