"""Who approves a request awaiting approval: in words, as users, as a queue and as a panel."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from apps.accounts.models import Department
from apps.accounts.selectors import department_name
from apps.eventlog.models import Event
from apps.lifecycle.states import State


def approvers_text(request) -> str:
    """Who may approve the request, in words: "members of the group 'Managers'", "the leads of
    IT support", "the supervisors"."""
    if request.approval_group_id is not None:
        group = Group.objects.filter(pk=request.approval_group_id).first()
        return _("members of the group '%(group)s'") % {"group": group}
    department_id = request.approval_department_id or request.department_id
    if department_id is not None:
        name = department_name(department_id) or department_id
        return _("the leads of %(department)s") % {"department": name}
    return _("the supervisors")


def approvers(request) -> QuerySet:
    """The active users who may approve the request (the same rule as `rules.is_approver`)."""
    users = get_user_model().objects.filter(is_active=True)
    if request.approval_group_id is not None:
        return users.filter(groups=request.approval_group_id)
    department_id = request.approval_department_id or request.department_id
    if department_id is not None:
        return users.filter(led_departments=department_id)
    return users.filter(is_superuser=True)


def awaiting_approval_of(queryset: QuerySet, user) -> QuerySet:
    """The requests in `queryset` awaiting approval that `user` may approve (superusers: all)."""
    waiting = queryset.filter(state=State.AWAITING_APPROVAL)
    if user.is_superuser:
        return waiting
    led = Department.objects.filter(leads=user).values("pk")
    by_leads = Q(approval_group__isnull=True) & (
        Q(approval_department__in=led) | Q(approval_department__isnull=True, department__in=led)
    )
    by_group = Q(approval_group__in=user.groups.values("pk"))
    return waiting.filter(by_group | by_leads)


def approval_panel(request) -> dict | None:
    """The request page's approval box while it awaits approval: who approves, and why it was
    asked (the reason of its latest `require_approval`)."""
    if request.state != State.AWAITING_APPROVAL:
        return None
    asked = (
        Event.objects.filter(request_id=request.pk, transition="require_approval")
        .order_by("-seq")
        .values_list("payload", flat=True)
        .first()
    ) or {}
    return {"approvers": approvers_text(request), "why": why_approval(asked.get("explain") or {})}


def why_approval(explain: dict) -> str:
    """Which setting asked for the approval, in the reader's language, from the event's
    `explain` ("" for a person's ask, whose own words the timeline shows)."""
    name = explain.get("name", "")
    if explain.get("approval_by") == "rule":
        return _("The routing rule '%(name)s' requires approval.") % {"name": name}
    if explain.get("approval_by") == "category":
        return _("The category '%(name)s' requires approval.") % {"name": name}
    return ""
