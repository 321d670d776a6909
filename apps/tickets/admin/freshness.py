"""The stale-page notice: the request page asks every little while whether someone else has
changed the request since it was rendered, and says who and what instead of letting the agent
type a reply the door would refuse."""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from apps.tickets.admin.reply import newer_change

# Seconds between two polls of an open request page (SERVICEDESK_ADMIN_POLL_SECONDS).
POLL_SECONDS = 20


def poll_seconds() -> int:
    return int(getattr(settings, "SERVICEDESK_ADMIN_POLL_SECONDS", POLL_SECONDS))


def freshness_view(model_admin, request, object_id):
    """{"changed": false} or {"changed": true, "notice": "..."} for `?seen=<event seq>`."""
    service_request = model_admin.get_object(request, object_id)
    if service_request is None:
        raise Http404("No such service request.")
    seen = request.GET.get("seen", "")
    if not seen.isdigit():
        return JsonResponse({"changed": False})
    event = newer_change(service_request, int(seen), request.user)
    if event is None:
        return JsonResponse({"changed": False})
    who = event.actor.get_username() if event.actor else event.get_actor_role_display()
    notice = _(
        "%(who)s changed this request (%(what)s at %(at)s); it is now %(state)s. Reload the "
        "page to see the change; what you typed in the reply box is kept until you reload."
    ) % {
        "who": who,
        "what": event.transition or _("a message"),
        "at": formats.date_format(timezone.localtime(event.at), "Y-m-d H:i T"),
        "state": service_request.get_state_display(),
    }
    return JsonResponse({"changed": True, "notice": notice})
