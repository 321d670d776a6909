"""Who must act next on a request in the queue: the customer answered, something happened
since the agent last opened it, or the desk waits on the customer; and the request's age."""

from contextvars import ContextVar
from datetime import timedelta

from django.db.models import OuterRef, Subquery
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.lifecycle.states import State
from apps.tickets.models import Message, Visibility

SESSION_KEY = "servicedesk_seen"
# Requests remembered per session (the most recent looks); older ones count as seen.
SEEN_KEPT = 500
# The signed-in agent's last looks while their list renders (a context variable: model admins
# are shared between threads).
_looks: ContextVar[dict] = ContextVar("servicedesk_looks", default={})  # noqa: B039  read-only default, never mutated


def looks_of(request) -> None:
    """Make the agent's last looks available to `next_move` for this request's rendering."""
    _looks.set(dict(request.session.get(SESSION_KEY, {})))


def with_last_public_author(queryset):
    """Each request's last public message's author role as `last_public_role`."""
    last = (
        Message.objects.filter(request=OuterRef("pk"), visibility=Visibility.PUBLIC)
        .order_by("-created_at", "-pk")
        .values("author_role")[:1]
    )
    return queryset.annotate(last_public_role=Subquery(last))


def remember_look(request, service_request) -> None:
    """The agent has seen the request as it is now (its last event sequence number)."""
    seen = dict(request.session.get(SESSION_KEY, {}))
    seen.pop(str(service_request.pk), None)
    seen[str(service_request.pk)] = service_request.last_event_seq
    if len(seen) > SEEN_KEPT:
        seen = dict(list(seen.items())[-SEEN_KEPT:])
    request.session[SESSION_KEY] = seen


def _chip(key: str, label) -> str:
    return format_html('<span class="chip next" data-next="{}">{}</span>', key, label)


def next_move(service_request) -> str:
    """A badge saying who acts next, or "" when nothing calls for the agent."""
    if service_request.state == State.PENDING_CUSTOMER:
        return _chip("customer", _("customer's turn"))
    if getattr(service_request, "last_public_role", None) == "customer":
        return _chip("replied", _("customer replied"))
    seen = _looks.get().get(str(service_request.pk))
    if seen is not None and service_request.last_event_seq > seen:
        return _chip("updated", _("updated"))
    return ""


def age(delta: timedelta) -> str:
    """ "45m", "5h", "3d": the largest unit only, as a queue column reads it."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return _("%(n)sm") % {"n": max(minutes, 0)}
    if minutes < 48 * 60:
        return _("%(n)sh") % {"n": minutes // 60}
    return _("%(n)sd") % {"n": minutes // (24 * 60)}
