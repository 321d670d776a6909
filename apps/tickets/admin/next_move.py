"""Who must act next on a request in the queue: the customer answered, something happened
since the agent last opened it (`RequestSeen`, per agent), or the desk waits on the customer;
and the request's age."""

from datetime import timedelta

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.lifecycle.states import OPEN, State
from apps.tickets.models import Message, RequestSeen, Visibility


def with_last_public_author(queryset):
    """Each request's last public message's author role as `last_public_role`."""
    last = (
        Message.objects.filter(request=OuterRef("pk"), visibility=Visibility.PUBLIC)
        .order_by("-created_at", "-pk")
        .values("author_role")[:1]
    )
    return queryset.annotate(last_public_role=Subquery(last))


def with_last_look(queryset, user):
    """Each request's sequence number when `user` last opened it as `seen_seq` (None: never),
    and whether it is assigned to them as `for_me`: a subquery, not a query per row."""
    seen = RequestSeen.objects.filter(user_id=user.pk, request=OuterRef("pk")).values("seen_seq")
    return queryset.annotate(
        seen_seq=Subquery(seen[:1]),
        for_me=ExpressionWrapper(Q(assignee__user_id=user.pk), output_field=BooleanField()),
    )


def unread_by(queryset, user):
    """Open requests assigned to `user` with something new since they last opened them (or
    never opened)."""
    seen_all = RequestSeen.objects.filter(
        user_id=user.pk, request=OuterRef("pk"), seen_seq__gte=OuterRef("last_event_seq")
    )
    return queryset.filter(~Exists(seen_all), assignee__user_id=user.pk, state__in=OPEN)


def do_remember_look(user, service_request) -> None:
    """The agent has seen the request as it is now. Writes one `RequestSeen` row by one
    upsert (INSERT ... ON CONFLICT DO UPDATE); logs and enqueues nothing, raises nothing."""
    RequestSeen.objects.bulk_create(
        [
            RequestSeen(
                user_id=user.pk,
                request_id=service_request.pk,
                seen_seq=service_request.last_event_seq,
                seen_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["user", "request"],
        update_fields=["seen_seq", "seen_at"],
    )


def _chip(key: str, label) -> str:
    return format_html('<span class="chip next" data-next="{}">{}</span>', key, label)


def next_move(service_request) -> str:
    """A badge saying who acts next, or "" when nothing calls for the agent."""
    if service_request.state == State.PENDING_CUSTOMER:
        return _chip("customer", _("customer's turn"))
    if getattr(service_request, "last_public_role", None) == "customer":
        return _chip("replied", _("customer replied"))
    seen = getattr(service_request, "seen_seq", None)
    if seen is not None and service_request.last_event_seq > seen:
        return _chip("updated", _("updated"))
    if seen is None and getattr(service_request, "for_me", False):
        return _chip("new", _("new for you"))
    return ""


def age(delta: timedelta) -> str:
    """ "45m", "5h", "3d": the largest unit only, as a queue column reads it."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return _("%(n)sm") % {"n": max(minutes, 0)}
    if minutes < 48 * 60:
        return _("%(n)sh") % {"n": minutes // 60}
    return _("%(n)sd") % {"n": minutes // (24 * 60)}
