"""Continuous improvement: the trained ETA model, each open request's forecast, staffing
forecasts, and problem records (corrective actions) with their own log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from apps.eventlog.models import AppendOnlyError
from apps.improvement.problems.rules import for_owner, has_action, has_measure


class EtaModel(models.Model):
    """One training of the ETA model on the desk's log: its parameters and figures."""

    trained_at = models.DateTimeField(_("trained"))
    cases = models.PositiveIntegerField(_("finished cases"))
    samples = models.PositiveIntegerField(_("prefixes"))
    params = models.JSONField(_("parameters"), default=dict, editable=False)
    # The boosted model (eta/boosted.py), pickled; empty on rows of the former empirical model.
    blob = models.BinaryField(null=True, blank=True, editable=False)
    # The honest evaluation run at training time (chronological split of the same log).
    evaluation = models.JSONField(_("evaluation"), default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-trained_at", "-pk"]
        get_latest_by = "trained_at"
        verbose_name = _("ETA model")
        verbose_name_plural = _("ETA models")

    def __str__(self) -> str:
        return f"ETA model {self.trained_at:%Y-%m-%d %H:%M}"


class RequestForecast(models.Model):
    """The latest estimate for an open request: remaining time, expected resolution, risk."""

    request = models.OneToOneField(
        "tickets.ServiceRequest",
        on_delete=models.CASCADE,
        related_name="forecast",
        verbose_name=_("request"),
    )
    model = models.ForeignKey(
        EtaModel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed"))
    remaining_seconds = models.FloatField(_("remaining (seconds)"), null=True, blank=True)
    remaining_p90_seconds = models.FloatField(
        _("remaining, 90th percentile (seconds)"), null=True, blank=True
    )
    next_step = models.CharField(_("likely next step"), max_length=40, blank=True)
    expected_at = models.DateTimeField(_("expected by"), null=True, blank=True)
    deadline = models.DateTimeField(_("resolution deadline"), null=True, blank=True)
    risk = models.FloatField(_("breach risk"), null=True, blank=True)
    at_risk = models.BooleanField(_("at risk"), default=False)
    # What raises the risk most: [{"feature", "value", "raises_by"}] (eta/boosted.py explain).
    explanation = models.JSONField(_("why at risk"), default=list, blank=True)
    # When the early warning went out for `deadline` (once per deadline).
    warned_at = models.DateTimeField(_("early warning sent"), null=True, blank=True)
    warned_deadline = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-risk", "pk"]
        verbose_name = _("request forecast")
        verbose_name_plural = _("request forecasts")
        indexes = [
            models.Index(
                fields=["request"], name="forecast_at_risk", condition=models.Q(at_risk=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.risk}"


class StaffingForecast(models.Model):
    """A staffing forecast computed by the worker: arrivals, forecast and agents per hour."""

    created_at = models.DateTimeField(_("computed"))
    weeks = models.PositiveSmallIntegerField(_("weeks ahead"))
    payload = models.JSONField(_("forecast"), default=dict, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = "created_at"
        verbose_name = _("staffing forecast")
        verbose_name_plural = _("staffing forecasts")

    def __str__(self) -> str:
        return f"Staffing {self.created_at:%Y-%m-%d %H:%M}"


class ProblemState(models.TextChoices):
    OPEN = "open", _("Open")
    ANALYSING = "analysing", _("Analysing")
    ACTION_PLANNED = "action_planned", _("Action planned")
    IMPLEMENTED = "implemented", _("Implemented")
    VERIFIED = "verified", _("Verified")
    REOPENED = "reopened", _("Reopened")
    CANCELLED = "cancelled", _("Cancelled")


class ProblemSource(models.TextChoices):
    MANUAL = "manual", _("By hand")
    QUALITY_ALERT = "quality_alert", _("Quality alert")
    FEEDBACK_THEME = "feedback_theme", _("Feedback theme")


class Indicator(models.TextChoices):
    RESOLUTION_TIME = "resolution_time", _("Resolution time")
    FIRST_RESPONSE_TIME = "first_response_time", _("First response time")
    REOPEN_RATE = "reopen_rate", _("Reopen rate")


LIVE = [
    ProblemState.OPEN,
    ProblemState.ANALYSING,
    ProblemState.ACTION_PLANNED,
    ProblemState.IMPLEMENTED,
    ProblemState.REOPENED,
]


class Problem(FSMModelMixin, models.Model):
    """A quality problem: the requests it shows in, its root cause and the corrective action,
    and whether the action worked (verification before/after)."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10000, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=ProblemSource.choices, default=ProblemSource.MANUAL
    )
    quality_alert = models.ForeignKey(
        "quality.QualityAlert",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quality alert"),
    )
    theme = models.CharField(_("feedback theme"), max_length=300, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    category = models.ForeignKey(
        "tickets.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    requests = models.ManyToManyField(
        "tickets.ServiceRequest", blank=True, related_name="problems", verbose_name=_("requests")
    )
    root_cause = models.TextField(_("root cause"), max_length=10000, blank=True)
    corrective_action = models.TextField(_("corrective action"), max_length=10000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    indicator = models.CharField(
        _("indicator"),
        max_length=30,
        choices=Indicator.choices,
        default=Indicator.RESOLUTION_TIME,
    )
    state = FSMField(
        _("state"), choices=ProblemState.choices, default=ProblemState.OPEN, protected=True
    )
    # Bumped by every transition: a caller holding an older version gets a conflict.
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), editable=False)
    implemented_at = models.DateTimeField(_("implemented"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    verification = models.JSONField(_("verification"), default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [models.Index(fields=["state", "due_date"], name="problem_state_due")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"PR-{self.pk}" if self.pk else "PR-?"

    def transitions_for(self, actor) -> list[str]:
        """Names of the transitions `actor` may run now (state, conditions and permission)."""
        return sorted(t.name for t in self.get_available_user_state_transitions(actor))

    # --- transitions: guards and in-memory changes only; services save and log ----------------

    @transition(
        field=state,
        source=[ProblemState.OPEN, ProblemState.REOPENED],
        target=ProblemState.ANALYSING,
        permission=for_owner,
    )
    def analyse(self, *, at):
        pass

    @transition(
        field=state,
        source=ProblemState.ANALYSING,
        target=ProblemState.ACTION_PLANNED,
        permission=for_owner,
        conditions=[has_action],
    )
    def plan(self, *, at):
        pass

    @transition(
        field=state,
        source=ProblemState.ACTION_PLANNED,
        target=ProblemState.IMPLEMENTED,
        permission=for_owner,
    )
    def implement(self, *, at):
        self.implemented_at = at

    @transition(
        field=state,
        source=ProblemState.IMPLEMENTED,
        target=ProblemState.VERIFIED,
        permission=for_owner,
        conditions=[has_measure],
    )
    def verify(self, *, at):
        self.closed_at = at

    @transition(
        field=state,
        source=[ProblemState.IMPLEMENTED, ProblemState.VERIFIED],
        target=ProblemState.REOPENED,
        permission=for_owner,
    )
    def reopen(self, *, at):
        self.closed_at = None

    @transition(field=state, source=LIVE, target=ProblemState.CANCELLED, permission=for_owner)
    def cancel(self, *, at):
        self.closed_at = at


class ProblemEvent(models.Model):
    """The problem's log: one append-only row per transition (and its creation)."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("sequence"))
    transition = models.CharField(_("transition"), max_length=30)
    from_state = models.CharField(_("from state"), max_length=20, blank=True)
    to_state = models.CharField(_("to state"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_role = models.CharField(_("actor role"), max_length=10)
    at = models.DateTimeField(_("at"))
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["problem_id", "seq"]
        verbose_name = _("problem event")
        verbose_name_plural = _("problem log")
        constraints = [
            models.UniqueConstraint(fields=["problem", "seq"], name="problem_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.transition} {self.from_state}->{self.to_state}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The problem log is append-only: rows are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The problem log is append-only: rows are never deleted.")
