"""A stored scenario (the change a manager wants to try, how to run it, and what it gave) and
the PDCA cycle that puts a change to the test on the desk itself."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.quality.scorecard import INDICATORS


class ScenarioStatus(models.TextChoices):
    PENDING = "pending", _("waiting to run")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    # The as-is model missed its validation: no scenario is run on it.
    INVALID = "invalid", _("as-is model not valid")
    FAILED = "failed", _("failed")


class Scenario(models.Model):
    """A process change (apps/simulation/scenarios.py) run against the as-is model discovered
    from the last `fit_days` of the log, after validating that model on the last `test_days`."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    changes = models.JSONField(
        _("changes"), default=dict, help_text=_("What to change: see docs/simulation.md.")
    )
    fit_days = models.PositiveIntegerField(_("days of log to fit on"), default=60)
    test_days = models.PositiveIntegerField(_("days of log to validate on"), default=40)
    days = models.PositiveIntegerField(_("simulated days"), default=30)
    replications = models.PositiveIntegerField(_("replications"), default=10)
    seed = models.PositiveIntegerField(_("seed"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ScenarioStatus.choices, default=ScenarioStatus.PENDING
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The validation of the as-is model and, when it passed, the comparison (JSON of
    # apps/simulation/reports.py); `error` says why a run failed.
    validation = models.JSONField(_("validation"), default=dict, blank=True)
    results = models.JSONField(_("results"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


def _step_user(verbose_name) -> models.ForeignKey:
    """Who took one step of a cycle."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )


class CycleState(models.TextChoices):
    PLAN = "plan", _("plan")
    DO = "do", _("do: change made, after period running")
    CHECK = "check", _("check: measured, decision due")
    # Adjusted: open until the next cycle's change is made.
    ACT = "act", _("act: adjusting in the next cycle")
    CLOSED = "closed", _("closed")


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class Decision(models.TextChoices):
    ADOPT = "adopt", _("adopt the change")
    ADJUST = "adjust", _("adjust it and try again")
    ABANDON = "abandon", _("abandon it")


def _indicator_choices() -> list[tuple[str, object]]:
    # A callable: a new scorecard indicator needs no migration here.
    return [(key, label) for key, (label, _unit, _better) in INDICATORS.items()]


class ImprovementCycle(models.Model):
    """A PDCA cycle (docs/simulation.md, "PDCA cycles"): plan a target for one of the
    scorecard's indicators, record the change, check every indicator after it against the same
    length of time before it (and against the scenario's prediction), decide.

    A record kept simply, not a service request: `state` moves through the services of
    apps/simulation/pdca/services.py only, and each step keeps who took it and when."""

    title = models.CharField(_("title"), max_length=200)
    problem = models.ForeignKey(
        "improvement.Problem",
        verbose_name=_("problem"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cycles",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Reminded when the check is due; the planner when empty."),
    )
    # Plan
    indicator = models.CharField(_("target indicator"), max_length=40, choices=_indicator_choices)
    target_value = models.FloatField(_("target value"))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    baseline_days = models.PositiveSmallIntegerField(
        _("days compared"),
        default=28,
        help_text=_("The days after the change, compared with as many days before it."),
    )
    scenario = models.ForeignKey(
        Scenario,
        verbose_name=_("scenario that predicted it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cycles",
    )
    predicted_value = models.FloatField(_("predicted value"), null=True, blank=True)
    # Per indicator {value, low, high}: the scenario's estimates when planned, and the
    # predicted value of the target indicator.
    prediction = models.JSONField(_("prediction"), default=dict, blank=True, editable=False)
    # Do
    change = models.TextField(_("change made"), max_length=10000, blank=True)
    changed_on = models.DateField(_("changed on"), null=True, blank=True)
    check_due = models.DateField(_("check due"), null=True, blank=True, editable=False)
    # Check
    results = models.JSONField(_("check results"), default=dict, blank=True, editable=False)
    # Act
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decision_note = models.TextField(_("decision note"), max_length=10000, blank=True)
    next_cycle = models.ForeignKey(
        "self",
        verbose_name=_("next cycle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="previous_cycles",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=CycleState.choices, default=CycleState.PLAN
    )
    planned_by = _step_user(_("planned by"))
    planned_at = models.DateTimeField(_("planned"), editable=False)
    change_recorded_by = _step_user(_("change recorded by"))
    change_recorded_at = models.DateTimeField(
        _("change recorded"), null=True, blank=True, editable=False
    )
    checked_by = _step_user(_("checked by"))
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True, editable=False)
    decided_by = _step_user(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(
        _("check reminder sent"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("PDCA cycle")
        verbose_name_plural = _("PDCA cycles")
        ordering = ["-planned_at", "-pk"]
        indexes = [models.Index(fields=["state", "check_due"], name="cycle_state_due")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state != CycleState.CLOSED

    def reminder_recipient(self):
        return self.owner or self.planned_by
