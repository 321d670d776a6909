"""The read-only event timeline of a request, with the why of each automated decision."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import AssignmentStrategy
from apps.core.admin import ReadOnlyAdminMixin
from apps.eventlog.models import Event
from apps.lifecycle.states import state_label
from apps.tickets.admin.timeline import event_summary
from apps.tickets.admin.transitions import label as transition_label
from apps.tickets.approvals import why_approval

# What an event row shows, in the event-log admin and in a request's timeline.
EVENT_FIELDS = [
    "seq",
    "at",
    "kind",
    "transition",
    "from_state",
    "to_state",
    "actor",
    "actor_role",
    "department",
    "assignee",
    "payload",
]


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Shows rows written elsewhere (by the door); the admin never adds, edits or removes them."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class EventInline(ReadOnlyInline):
    model = Event
    # In sentences: the "why" column says what the payload means; the raw JSON stays in the
    # event log's own admin.
    # Transitions and states by their labels (in the agent's language), not their codes.
    fields = [
        {"transition": "step", "from_state": "left", "to_state": "entered"}.get(name, name)
        for name in EVENT_FIELDS[: EVENT_FIELDS.index("payload")]
    ] + ["why"]
    ordering = ["seq"]
    verbose_name_plural = _("event timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "department", "assignee__user")

    @admin.display(description=_("transition"))
    def step(self, event: Event) -> str:
        return transition_label(event.transition) if event.transition else ""

    @admin.display(description=_("from state"))
    def left(self, event: Event) -> str:
        return state_label(event.from_state)

    @admin.display(description=_("to state"))
    def entered(self, event: Event) -> str:
        return state_label(event.to_state)

    @admin.display(description=_("why"))
    def why(self, event: Event) -> str:
        payload = event.payload if isinstance(event.payload, dict) else {}
        reason = str(payload.get("reason") or "")
        summary = explain_summary(payload.get("explain")) or event_summary(event.kind, payload)
        if reason and summary:
            return format_html("{}<br><small>{}</small>", reason, summary)
        return format_html("{}", reason or summary)


# Candidates listed in the summary; the event log's payload holds them all.
_MAX_CANDIDATES = 5
_DEPARTMENT_FROM = {
    "category": _("the category's default department"),
    "triage": _("the triage department"),
}


def explain_summary(explain) -> str:
    """A line on an automated decision: the routing rule, or the strategy, the chosen agent and
    the candidates' load; plain text, read from the payload alone."""
    if not isinstance(explain, dict):
        return ""
    if "strategy" in explain:
        return _assignment_summary(explain)
    if "macro_name" in explain:
        return _("with the macro '%(macro)s'") % {"macro": explain["macro_name"]}
    if "approval_by" in explain:
        return why_approval(explain)
    if "rule" not in explain:
        return ""
    parts = [
        _("rule: %(rule)s") % {"rule": explain["rule"]} if explain["rule"] else _("no rule matched")
    ]
    source = _DEPARTMENT_FROM.get(explain.get("department_from"))
    if source:
        parts.append(_("department: %(source)s") % {"source": source})
    return "; ".join(str(part) for part in parts)


def _assignment_summary(explain: dict) -> str:
    strategy = explain["strategy"]
    label = (
        AssignmentStrategy(strategy).label if strategy in AssignmentStrategy.values else strategy
    )
    candidates = [c for c in explain.get("candidates") or [] if isinstance(c, dict)]
    names = {c.get("agent"): c.get("name") for c in candidates}
    loads = ", ".join(
        f"{c.get('name')} {c.get('load')}/{c.get('capacity')}" for c in candidates[:_MAX_CANDIDATES]
    )
    more = len(candidates) - _MAX_CANDIDATES
    if more > 0:
        loads += " " + str(_("and %(count)d more") % {"count": more})
    return _("%(strategy)s: chose %(agent)s; candidates: %(loads)s") % {
        "strategy": label,
        "agent": names.get(explain.get("chosen"), explain.get("chosen")),
        "loads": loads or "-",
    }
