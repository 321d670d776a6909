"""A stored scenario: the change a manager wants to try, how to run it, and what it gave."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    fit_days = models.PositiveIntegerField(_("days of log to fit on"), default=90)
    test_days = models.PositiveIntegerField(_("days of log to validate on"), default=30)
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
