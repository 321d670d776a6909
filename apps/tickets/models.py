"""The service request with its lifecycle; category_models, conversation_models, link_models
and queue_models have the rest (re-exported here)."""

from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition

from apps.accounts.actors import Role
from apps.accounts.models import Agent, Customer, Department
from apps.lifecycle.channel import Channel
from apps.lifecycle.priority import Level, Priority, raised
from apps.lifecycle.reference import REFERENCE_PREFIX, format_reference
from apps.lifecycle.states import OPEN, OWNED, State
from apps.tickets.category_models import Category
from apps.tickets.rules import (
    is_approver,
    is_assignee_or_lead,
    may,
    not_yet_approved,
    within_reopen_window,
)

# Transitions an action of their own runs, not listed with the others (a request's allowed
# transitions, the generic API endpoint): merging moves the conversation too (merging.py).
SEPARATE_TRANSITIONS = frozenset({"merge"})


def _reopened_state(request, **kwargs) -> str:
    # Back to its assignee; a request the bot resolved was never routed, so it goes to routing.
    return State.IN_PROGRESS if request.assignee_id else State.NEW


class ServiceRequest(FSMModelMixin, models.Model):
    # No index of its own on customer or assignee: sr_customer_created and sr_assignee_state
    # lead with them (a redundant index costs every insert and assignment a write).
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("customer"),
        db_index=False,
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=20000, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.API
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("category"),
    )
    impact = models.CharField(
        _("impact"), max_length=10, choices=Level.choices, default=Level.MEDIUM
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Level.choices, default=Level.MEDIUM
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    priority_overridden = models.BooleanField(_("priority set by hand or rule"), default=False)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("department"),
    )
    assignee = models.ForeignKey(
        Agent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("assignee"),
        db_index=False,
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    tags = models.JSONField(_("tags"), default=list, blank=True, editable=False)
    # Skill name -> minimum level an assignee needs (set by routing rules).
    required_skills = models.JSONField(
        _("required skills"), default=dict, blank=True, editable=False
    )
    # Legacy (API before real attachments): file metadata a client declared, no file behind it.
    # Kept readable; the files themselves are `Attachment` rows (`request.attachments`).
    declared_attachments = models.JSONField(
        _("declared attachments"), default=list, blank=True, editable=False
    )
    state = FSMField(_("state"), choices=State.choices, default=State.NEW, protected=True)
    # Bumped by every transition: a caller holding an older version gets a conflict.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # The sequence number of the request's latest event-log row.
    last_event_seq = models.PositiveIntegerField(_("last event"), default=0, editable=False)
    last_event_at = models.DateTimeField(_("last event at"), null=True, editable=False)
    created_at = models.DateTimeField(_("created"), editable=False)
    state_changed_at = models.DateTimeField(_("in this state since"), editable=False)
    first_response_at = models.DateTimeField(
        _("first response"), null=True, blank=True, editable=False
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    # Who may approve while it awaits approval: a named group, else this department's leads
    # (the department routing would send it to; the request has none of its own yet).
    approval_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approval by the leads of"),
        editable=False,
        db_index=False,
    )
    approval_group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approval by the group"),
        editable=False,
        db_index=False,
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0, editable=False)
    # Set when the request was merged into another as a duplicate (and closed by it).
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_requests",
        verbose_name=_("merged into"),
        editable=False,
        db_index=False,  # sr_merged_into: a partial index, only the few merged rows
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [
            models.Index(fields=["state", "department"], name="sr_state_department"),
            models.Index(fields=["assignee", "state"], name="sr_assignee_state"),
            models.Index(fields=["customer", "-created_at"], name="sr_customer_created"),
            models.Index(fields=["state", "state_changed_at"], name="sr_state_since"),
            models.Index(
                fields=["merged_into"],
                name="sr_merged_into",
                condition=models.Q(merged_into__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return format_reference(self.pk) if self.pk else f"{REFERENCE_PREFIX}?"

    def transitions_for(self, actor) -> list[str]:
        """Names of the transitions `actor` may run now (state, conditions and permission),
        but those run by an action of their own (SEPARATE_TRANSITIONS)."""
        return sorted(
            t.name
            for t in self.get_available_user_state_transitions(actor)
            if t.name not in SEPARATE_TRANSITIONS
        )

    def may_merge(self, actor) -> bool:
        """Whether `actor` may merge this request into another now (merging.py)."""
        return any(t.name == "merge" for t in self.get_available_user_state_transitions(actor))

    # --- transitions: guards and in-memory changes only; the door saves and logs ------------

    @transition(
        field=state,
        source=State.NEW,
        target=State.AWAITING_APPROVAL,
        permission=may(Role.AGENT, Role.SYSTEM),
        conditions=[not_yet_approved],
    )
    def require_approval(self, *, at, approval_department=None, approval_group=None):
        # Neither: the request's own department's leads (the supervisors while it has none).
        self.approval_department = approval_department or self.department
        self.approval_group = approval_group

    @transition(
        field=state,
        source=State.AWAITING_APPROVAL,
        target=State.NEW,
        permission=may(Role.AGENT, Role.SYSTEM, check=is_approver),
    )
    def approve(self, *, at):
        self.approved_at = at

    @transition(
        field=state,
        source=State.AWAITING_APPROVAL,
        target=State.CLOSED,
        permission=may(Role.AGENT, Role.SYSTEM, check=is_approver),
    )
    def reject(self, *, at):
        self.closed_at = at

    @transition(
        field=state,
        source=State.NEW,
        target=State.BOT_ANSWERED,
        permission=may(Role.BOT, Role.SYSTEM),
    )
    def propose_answer(self, *, at):
        pass

    @transition(
        field=state, source=State.BOT_ANSWERED, target=State.RESOLVED, permission=may(Role.CUSTOMER)
    )
    def accept_answer(self, *, at):
        self.resolved_at = at

    @transition(
        field=state, source=State.BOT_ANSWERED, target=State.NEW, permission=may(Role.CUSTOMER)
    )
    def decline_answer(self, *, at):
        pass

    @transition(
        field=state, source=State.BOT_ANSWERED, target=State.NEW, permission=may(Role.SYSTEM)
    )
    def answer_timeout(self, *, at):
        pass

    @transition(
        field=state, source=State.NEW, target=State.QUEUED, permission=may(Role.AGENT, Role.SYSTEM)
    )
    def route(self, *, at, department, priority=None, tags=None, required_skills=None):
        self.department = department
        if priority is not None:
            self._set_priority(priority)
        if tags:
            self.tags = sorted({*self.tags, *tags})
        if required_skills:
            self.required_skills = dict(required_skills)

    @transition(
        field=state,
        source=State.QUEUED,
        target=State.ASSIGNED,
        permission=may(Role.AGENT, Role.SYSTEM),
    )
    def assign(self, *, at, assignee):
        self.assignee = assignee

    @transition(
        field=state,
        source=[State.ASSIGNED, State.IN_PROGRESS],
        target=State.ASSIGNED,
        permission=may(Role.AGENT, Role.SYSTEM),
    )
    def reassign(self, *, at, assignee):
        self.assignee = assignee

    @transition(
        field=state,
        source=State.ASSIGNED,
        target=State.QUEUED,
        permission=may(Role.AGENT, Role.SYSTEM, check=is_assignee_or_lead),
    )
    def unassign(self, *, at):
        self.assignee = None

    @transition(
        field=state,
        source=State.ASSIGNED,
        target=State.IN_PROGRESS,
        permission=may(Role.AGENT, check=is_assignee_or_lead),
    )
    def start(self, *, at):
        pass

    @transition(
        field=state,
        source=State.IN_PROGRESS,
        target=State.PENDING_CUSTOMER,
        permission=may(Role.AGENT, check=is_assignee_or_lead),
    )
    def request_info(self, *, at):
        pass

    @transition(
        field=state,
        source=State.PENDING_CUSTOMER,
        target=State.IN_PROGRESS,
        permission=may(Role.CUSTOMER, Role.AGENT, Role.SYSTEM),
    )
    def customer_reply(self, *, at):
        pass

    @transition(
        field=state,
        source=[State.IN_PROGRESS, State.PENDING_CUSTOMER],
        target=State.RESOLVED,
        permission=may(Role.AGENT, check=is_assignee_or_lead),
    )
    def resolve(self, *, at):
        self.resolved_at = at

    @transition(
        field=state,
        source=State.RESOLVED,
        target=GET_STATE(_reopened_state, states=[State.IN_PROGRESS, State.NEW]),
        permission=may(Role.CUSTOMER, Role.AGENT),
        conditions=[within_reopen_window],
    )
    def reopen(self, *, at):
        self.reopen_count += 1
        self.resolved_at = None

    @transition(
        field=state,
        source=State.RESOLVED,
        target=State.CLOSED,
        permission=may(Role.CUSTOMER, Role.AGENT),
    )
    def close(self, *, at):
        self.closed_at = at

    @transition(
        field=state, source=State.RESOLVED, target=State.CLOSED, permission=may(Role.SYSTEM)
    )
    def auto_close(self, *, at):
        self.closed_at = at

    @transition(
        field=state, source=OPEN, target=State.CANCELLED, permission=may(Role.CUSTOMER, Role.AGENT)
    )
    def cancel(self, *, at):
        self.closed_at = at

    @transition(
        field=state,
        source=OPEN,
        target=None,
        permission=may(Role.CUSTOMER, Role.AGENT, Role.SYSTEM),
    )
    def escalate(self, *, at, raise_priority=False):
        self.escalation_level += 1
        if raise_priority:
            self._set_priority(raised(self.priority))

    @transition(
        field=state, source=OWNED, target=State.QUEUED, permission=may(Role.AGENT, Role.SYSTEM)
    )
    def transfer(self, *, at, department):
        self.department = department
        self.assignee = None

    @transition(field=state, source=OPEN, target=State.CLOSED, permission=may(Role.AGENT))
    def merge(self, *, at, into):
        # Only through merging.do_merge_requests, which moves the conversation with it.
        self.merged_into = into
        self.closed_at = at

    @transition(field=state, source=OPEN, target=None, permission=may(Role.AGENT, Role.SYSTEM))
    def reprioritize(self, *, at, priority):
        self._set_priority(priority)

    @transition(field=state, source=OPEN, target=None, permission=may(Role.AGENT, Role.SYSTEM))
    def recategorize(self, *, at, category):
        self.category = category

    def _set_priority(self, priority) -> None:
        self.priority = Priority(int(priority))
        self.priority_overridden = True


# The conversation's models live beside; importing them here registers them with the app.
from apps.tickets.conversation_models import Attachment, Feedback, Message, Visibility  # noqa: E402  after ServiceRequest, which they name
from apps.tickets.link_models import RequestLink  # noqa: E402  after ServiceRequest, which it names
from apps.tickets.queue_models import RequestSeen, SavedView  # noqa: E402  after ServiceRequest, which they name

__all__ = [
    "Attachment",
    "Category",
    "Feedback",
    "Message",
    "RequestLink",
    "RequestSeen",
    "SavedView",
    "ServiceRequest",
    "Visibility",
]
