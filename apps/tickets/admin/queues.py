"""The agents' queues in the request list: list filters that read indexes, and the SLA order."""

from django.contrib import admin
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.scope import agent_departments
from apps.lifecycle.states import OPEN, State
from apps.sla.models import ClockState, SLAClock
from apps.tickets import extensions
from apps.tickets.admin.next_move import unread_by
from apps.tickets.approvals import awaiting_approval_of

QUEUE_PARAM = "queue"
EVERYTHING = "everything"


def _running_clocks():
    return SLAClock.objects.filter(request=OuterRef("pk"), state=ClockState.RUNNING)


def with_sla_deadline(queryset):
    """Each request's earliest running SLA deadline as `sla_deadline` (None when none runs)."""
    soonest = _running_clocks().order_by("deadline").values("deadline")[:1]
    return queryset.annotate(sla_deadline=Subquery(soonest))


SLA_ORDERING = [F("sla_deadline").asc(nulls_last=True), "-created_at"]
# Closed history is big and has no running clock: newest first, along the primary key.
HISTORY_ORDERING = ["-pk"]


def _mine(queryset, user):
    return queryset.filter(assignee__user=user, state__in=OPEN)


def _unassigned(queryset, user):
    return queryset.filter(
        state=State.QUEUED, assignee__isnull=True, department__in=agent_departments(user)
    )


def _due_soon(queryset, user):
    warned = _running_clocks().filter(warned_at__isnull=False, breached_at__isnull=True)
    return queryset.filter(Exists(warned), state__in=OPEN)


def _breached(queryset, user):
    late = _running_clocks().filter(Q(breached_at__isnull=False) | Q(deadline__lt=timezone.now()))
    return queryset.filter(Exists(late), state__in=OPEN)


def _in_state(state):
    return lambda queryset, user: queryset.filter(state=state)


def _everything(queryset, user):
    return queryset


# value -> (label, filter); the first choice is what the list shows when none is picked. Apps
# above tickets add theirs (extensions.add_queue: improvement's "at risk").
_OWN_QUEUES = {
    "open": (_("All open"), lambda queryset, user: queryset.filter(state__in=OPEN)),
    "mine": (_("My open requests"), _mine),
    "my_approval": (_("Awaiting my approval"), awaiting_approval_of),
    "unread": (_("Mine, new since my last look"), unread_by),
    "unassigned": (_("My departments' unassigned"), _unassigned),
    "due_soon": (_("Due soon (warning reached)"), _due_soon),
    "breached": (_("Breached"), _breached),
    "waiting": (_("Waiting on customer"), _in_state(State.PENDING_CUSTOMER)),
    "bot_answered": (_("Bot answered"), _in_state(State.BOT_ANSWERED)),
    EVERYTHING: (_("Everything, closed too"), _everything),
}
DEFAULT_QUEUE = "open"


def all_queues() -> dict:
    """Our queues with the registered ones placed after the queue each names."""
    queues = dict(_OWN_QUEUES)
    for queue in extensions.added_queues():
        items = list(queues.items())
        at = next((i + 1 for i, (key, _v) in enumerate(items) if key == queue.after), len(items))
        items.insert(at, (queue.key, (queue.label, queue.filter)))
        queues = dict(items)
    return queues


def queue_of(request) -> str:
    value = request.GET.get(QUEUE_PARAM)
    return value if value in all_queues() else DEFAULT_QUEUE


class QueueFilter(admin.SimpleListFilter):
    """The agent's work lists; with none chosen the list shows every open request."""

    title = _("queue")
    parameter_name = QUEUE_PARAM

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _filter) in all_queues().items()]

    def choices(self, changelist):
        # No "All" entry: the default queue stands in for it, and "everything" is a choice.
        current = self.value() if self.value() in all_queues() else DEFAULT_QUEUE
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        _label, queue = all_queues()[queue_of(request)]
        return queue(queryset, request.user)


class DepartmentFilter(admin.SimpleListFilter):
    """Departments to filter by: only those the user works in (superusers: all)."""

    title = _("department")
    parameter_name = "department"

    def lookups(self, request, model_admin):
        return [(str(d.pk), d.name) for d in agent_departments(request.user).order_by("name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(department_id=int(value))
        return queryset


def home_queues(model_admin, request) -> dict | None:
    """The home page's queue panel: each queue with its count and link (None for a user who
    may not see requests). One count per queue over the agent's visible requests."""
    if not model_admin.has_view_permission(request):
        return None
    visible = model_admin.get_queryset(request)
    url = model_admin.url_for("changelist")
    rows = []
    for value, (label, queue) in all_queues().items():
        count = None if value == EVERYTHING else queue(visible, request.user).count()
        rows.append({"key": value, "label": label, "count": count, "url": f"{url}?queue={value}"})
    return {"queues": rows}
