"""The queues without reloading: the home's counts, and a notice on the list when requests in
it (or shown in it) changed since it was rendered, rather than rows moving under the cursor."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR
from django.db.models import Q
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, ngettext

from apps.accounts.scope import visible_requests_q
from apps.tickets.admin.queues import home_queues
from apps.tickets.models import ServiceRequest

SINCE_PARAM = "since"
IDS_PARAM = "ids"
MAX_IDS = 500  # more than a list page holds (list_per_page is 50)


def render_stamp() -> str:
    """When the list was rendered, as the list's poll sends it back in `since`."""
    return timezone.now().isoformat()


def counts_view(model_admin, request):
    """{"counts": {queue: n}}: the home's queue counts, the same queries as the home."""
    panel = home_queues(model_admin, request)
    if panel is None:
        return JsonResponse({"counts": {}})
    return JsonResponse({"counts": {q["key"]: q["count"] for q in panel["queues"]}})


def _parse(request):
    try:
        since = parse_datetime(request.GET.get(SINCE_PARAM, ""))
    except ValueError:  # well formed but no such time (month 13)
        return None, None
    if since is None or timezone.is_naive(since):
        return None, None
    raw = [part for part in request.GET.get(IDS_PARAM, "").split(",") if part]
    if len(raw) > MAX_IDS or not all(part.isdigit() and len(part) < 19 for part in raw):
        return None, None
    return since, [int(part) for part in raw]


def changes_view(model_admin, request):
    """{"changed": n, "notice": "..."}: requests in the list as filtered now, or among the
    rows it shows (`ids`), whose last event is after `since`. 400 for a bad `since`/`ids`."""
    since, ids = _parse(request)
    if since is None:
        return HttpResponseBadRequest(
            gettext(
                "since must be an ISO time with its zone; ids a comma-separated list of numbers."
            ),
            content_type="text/plain; charset=utf-8",
        )
    # The list's own filters and search, read by the list itself without our two parameters
    # and without its page (a page that no longer exists would refuse the whole question).
    request.GET = request.GET.copy()
    for name in (SINCE_PARAM, IDS_PARAM, PAGE_VAR):
        request.GET.pop(name, None)
    try:
        listed = model_admin.get_changelist_instance(request).queryset
    except IncorrectLookupParameters:
        return HttpResponseBadRequest(
            gettext("Unknown list parameters."), content_type="text/plain; charset=utf-8"
        )
    changed = (
        ServiceRequest.objects.filter(visible_requests_q(request.user), last_event_at__gt=since)
        .filter(Q(pk__in=listed.order_by().values("pk")) | Q(pk__in=ids))
        .count()
    )
    notice = ngettext(
        "%(n)s request new or changed since this list was shown.",
        "%(n)s requests new or changed since this list was shown.",
        changed,
    ) % {"n": changed}
    return JsonResponse({"changed": changed, "notice": notice if changed else ""})
