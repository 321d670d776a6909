"""Handoffs between departments, the OLA policies that time them, and their OLA clocks."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from apps.accounts.models import Department
from apps.handoffs.rules import cancellable, for_sender, for_system, for_target, is_consult
from apps.sla.business_time import Schedule, add_business_seconds


class HandoffKind(models.TextChoices):
    TRANSFER = "transfer", _("Transfer: ownership moves")
    CONSULT = "consult", _("Consult: the owner keeps the request")


class HandoffState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


# A consult is open until completed; a transfer only until accepted (then the request moved).
OPEN = [HandoffState.REQUESTED, HandoffState.ACCEPTED]


class OLAPolicy(models.Model):
    """Targets between departments, in business time on the target department's calendar."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    from_department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from department"),
        help_text=_("Empty: handoffs from any department to the target."),
    )
    to_department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="ola_policies",
        verbose_name=_("to department"),
    )
    acceptance_minutes = models.PositiveIntegerField(
        _("accept within (business minutes)"), null=True, blank=True
    )
    completion_minutes = models.PositiveIntegerField(
        _("complete a consult within (business minutes)"), null=True, blank=True
    )
    # xgettext: no-python-format
    warning_percent = models.PositiveSmallIntegerField(_("warn at (% of the target)"), default=75)
    expire_after_minutes = models.PositiveIntegerField(
        _("expire unaccepted after (business minutes)"),
        null=True,
        blank=True,
        help_text=_("Empty: the desk's default (SERVICEDESK_HANDOFF_EXPIRY_MINUTES)."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["to_department__name", "name"]
        verbose_name = _("OLA policy")
        verbose_name_plural = _("OLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["from_department", "to_department"], name="ola_one_policy_per_pair"
            ),
            models.UniqueConstraint(
                fields=["to_department"],
                condition=models.Q(from_department__isnull=True),
                name="ola_one_policy_per_target",
            ),
            models.CheckConstraint(
                condition=models.Q(warning_percent__gte=1, warning_percent__lte=99),
                name="ola_warning_1_to_99",
            ),
        ]

    def __str__(self) -> str:
        return self.name


def _person(label) -> models.ForeignKey:
    """Who did a step of the handoff (empty for the system)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=label,
    )


class Handoff(FSMModelMixin, models.Model):
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        on_delete=models.PROTECT,
        related_name="handoffs",
        verbose_name=_("request"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=HandoffKind.choices)
    from_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("from department")
    )
    to_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="incoming_handoffs",
        verbose_name=_("to department"),
    )
    reason = models.TextField(_("reason"), max_length=5000)
    requested_by = _person(_("requested by"))
    requested_at = models.DateTimeField(_("requested"), editable=False)
    state = FSMField(
        _("state"), choices=HandoffState.choices, default=HandoffState.REQUESTED, protected=True
    )
    # Bumped by every transition: a caller holding an older version gets a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)
    policy = models.ForeignKey(
        OLAPolicy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handoffs",
        verbose_name=_("OLA policy"),
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, editable=False)
    accepted_by = _person(_("accepted by"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True, editable=False)
    result = models.TextField(_("result"), max_length=20000, blank=True)
    # Why it was declined or cancelled (or that it expired).
    closing_reason = models.TextField(_("closing reason"), max_length=5000, blank=True)
    closed_by = _person(_("closed by"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    bounced = models.BooleanField(
        _("bounced"),
        default=False,
        editable=False,
        help_text=_(
            "The transfer sent the request back to a department it had left, or "
            "moved it more often than the desk allows."
        ),
    )
    # Steps whose notifications went out: a redelivered notify task sends nothing again.
    notified_steps = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("handoff")
        verbose_name_plural = _("handoffs")
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(kind="transfer", state="requested"),
                name="handoff_one_pending_transfer",
            ),
            models.UniqueConstraint(
                fields=["request", "to_department"],
                condition=models.Q(kind="consult", state__in=["requested", "accepted"]),
                name="handoff_one_open_consult_per_department",
            ),
        ]
        indexes = [
            models.Index(fields=["to_department", "state"], name="handoff_inbox"),
            models.Index(fields=["request", "state"], name="handoff_request_state"),
            models.Index(
                fields=["expires_at"],
                name="handoff_expiry_due",
                condition=models.Q(state="requested"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        return f"H-{self.pk}" if self.pk else "H-?"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN and (
            self.kind == HandoffKind.CONSULT or self.state == "requested"
        )

    def transitions_for(self, actor) -> list[str]:
        """Names of the transitions `actor` may run now (state, conditions and permission)."""
        return sorted(t.name for t in self.get_available_user_state_transitions(actor))

    # --- transitions: guards and in-memory changes only; services save and log ----------------

    @transition(
        field=state,
        source=HandoffState.REQUESTED,
        target=HandoffState.ACCEPTED,
        permission=for_target,
    )
    def accept(self, *, at, by):
        self.accepted_by, self.accepted_at = by, at

    @transition(
        field=state,
        source=HandoffState.REQUESTED,
        target=HandoffState.DECLINED,
        permission=for_target,
    )
    def decline(self, *, at, by, reason):
        self._close(at, by, reason)

    @transition(
        field=state,
        source=HandoffState.ACCEPTED,
        target=HandoffState.COMPLETED,
        permission=for_target,
        conditions=[is_consult],
    )
    def complete(self, *, at, by, result):
        self.result = result
        self._close(at, by, "")

    @transition(
        field=state,
        source=OPEN,
        target=HandoffState.CANCELLED,
        permission=for_sender,
        conditions=[cancellable],
    )
    def cancel(self, *, at, by, reason):
        self._close(at, by, reason)

    @transition(
        field=state,
        source=HandoffState.REQUESTED,
        target=HandoffState.EXPIRED,
        permission=for_system,
    )
    def expire(self, *, at, by, reason):
        self._close(at, by, reason)

    def _close(self, at, by, reason: str) -> None:
        self.closed_at, self.closed_by, self.closing_reason = at, by, reason


class OLAClockKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance")
    COMPLETION = "completion", _("Completion")


class OLAClock(models.Model):
    """One target of a handoff; runs from start to stop without pausing."""

    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="ola_clocks")
    kind = models.CharField(_("target"), max_length=12, choices=OLAClockKind.choices)
    target_seconds = models.PositiveIntegerField(_("target (business seconds)"))
    started_at = models.DateTimeField(_("started"))
    warn_at = models.DateTimeField(_("warning at"))
    deadline = models.DateTimeField(_("deadline"))
    # While running: when the sweep must look next (the warning, then the deadline).
    next_check_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        ordering = ["handoff", "started_at"]
        verbose_name = _("OLA clock")
        verbose_name_plural = _("OLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["handoff", "kind"], name="ola_one_clock_per_target"),
        ]
        indexes = [
            # The sweep's range query: running clocks whose next threshold has passed.
            models.Index(
                fields=["next_check_at"],
                name="olaclock_due",
                condition=models.Q(stopped_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.deadline:%Y-%m-%d %H:%M}"

    def start(self, schedule: Schedule, at: datetime, *, warning_percent: int) -> None:
        """Set the warning instant and deadline from `at` (in memory; the caller saves)."""
        self.started_at = at
        self.warn_at = add_business_seconds(
            schedule, at, self.target_seconds * warning_percent / 100
        )
        self.deadline = add_business_seconds(schedule, at, self.target_seconds)
        self.plan()

    def plan(self) -> None:
        """The next instant the sweep must look at: the warning, then the deadline, then none."""
        if self.stopped_at is not None or self.breached_at is not None:
            self.next_check_at = None
        elif self.warned_at is None:
            self.next_check_at = self.warn_at
        else:
            self.next_check_at = self.deadline

    @property
    def met(self) -> bool | None:
        """Whether it stopped in time (None while running)."""
        return None if self.stopped_at is None else self.stopped_at <= self.deadline
