"""Quality alerts from the control charts, KPI indicators and their weight history, the
dashboard's admin entry."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.eventlog.models import AppendOnlyError
from apps.quality.scorecard import INDICATORS


class QualityAlert(models.Model):
    """A control-chart rule that fired for a department (or the whole desk) on a day.

    Append-only like the event log (whose rows each need a request): only the acknowledgement
    fields are ever written after the row is created."""

    class Chart(models.TextChoices):
        RESOLUTION_TIME = "resolution_time", _("Resolution time (XmR)")
        SLA_COMPLIANCE = "sla_compliance", _("SLA compliance (p-chart)")

    class Rule(models.TextChoices):
        OUTSIDE_LIMITS = "outside_limits", _("Point outside the control limits")
        RUN_ONE_SIDE = "run_one_side", _("Run of points on one side of the centre")
        TREND = "trend", _("Trend of points rising or falling")

    ACKNOWLEDGEMENT_FIELDS = frozenset({"acknowledged_at", "acknowledged_by"})

    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Empty: the whole desk."),
    )
    chart = models.CharField(_("chart"), max_length=20, choices=Chart.choices)
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    day = models.DateField(_("day"))
    # Whether the signal points to worse service ("worse") or better ("better").
    worse = models.BooleanField(_("worse"))
    value = models.FloatField(_("value"))
    centre = models.FloatField(_("centre line"))
    lower_limit = models.FloatField(_("lower limit"))
    upper_limit = models.FloatField(_("upper limit"))
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("raised"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("quality alert")
        verbose_name_plural = _("quality alerts")
        constraints = [
            # One alert per rule, chart, day and department (or desk): re-running the sweep
            # raises nothing twice.
            models.UniqueConstraint(
                fields=["department", "chart", "rule", "day"],
                name="quality_alert_once",
                condition=models.Q(department__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["chart", "rule", "day"],
                name="quality_alert_once_desk",
                condition=models.Q(department__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_chart_display()}: {self.get_rule_display()} ({self.day})"

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if not self._state.adding and not (fields and set(fields) <= self.ACKNOWLEDGEMENT_FIELDS):
            raise AppendOnlyError("Quality alerts are append-only, but for acknowledgement.")
        super().save(*args, **kwargs)


class KPIIndicator(models.Model):
    """One indicator of the scorecard: a metric, its target and its weight, for every
    department or (overriding that) for one."""

    metric = models.CharField(
        _("indicator"),
        max_length=30,
        choices=[(key, label) for key, (label, _unit, _better) in INDICATORS.items()],
    )
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Empty: every department, unless one has its own target for this indicator."),
    )
    target = models.FloatField(
        _("target"), help_text=_("Shares as 0-1 (0.95 is 95%), times in hours, CSAT 1-5.")
    )
    weight = models.FloatField(_("weight"), default=1.0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["metric", "department__name"]
        verbose_name = _("KPI indicator")
        verbose_name_plural = _("KPI indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "department"],
                name="kpi_indicator_once",
                condition=models.Q(department__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["metric"],
                name="kpi_indicator_once_general",
                condition=models.Q(department__isnull=True),
            ),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="kpi_weight_positive"),
            models.CheckConstraint(condition=models.Q(target__gte=0), name="kpi_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} ({self.department or _('whole desk')})"


class KpiWeight(models.Model):
    """An indicator's weight from a day on: the history that lets a past period be scored
    with the weights then in force (`apps.quality.weights.weights_on`)."""

    indicator = models.ForeignKey(
        KPIIndicator,
        on_delete=models.CASCADE,
        related_name="weights",
        verbose_name=_("indicator"),
    )
    weight = models.FloatField(_("weight"))
    effective_from = models.DateField(_("effective from"))

    class Meta:
        ordering = ["indicator", "-effective_from"]
        verbose_name = _("KPI weight")
        verbose_name_plural = _("KPI weight history")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "effective_from"], name="kpi_weight_once_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0), name="kpi_weight_history_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.weight} ({self.effective_from})"


class QualityDashboard(QualityAlert):
    """No data of its own: the admin's entry to the quality dashboard page."""

    class Meta:
        proxy = True
        verbose_name = _("quality dashboard")
        verbose_name_plural = _("quality dashboard")


class KpiJudgement(models.Model):
    """A manager's pairwise judgement for the AHP weighting (apps/quality/ahp.py): how much
    more important the first indicator is than the second, on Saaty's 1-9 scale (below 1: the
    second is the more important, 1/9 to 1/2), for the whole desk or one department's
    scorecard."""

    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Empty: the whole desk's scorecard."),
    )
    first = models.CharField(
        _("indicator"),
        max_length=30,
        choices=[(key, label) for key, (label, _unit, _better) in INDICATORS.items()],
    )
    second = models.CharField(
        _("compared with"),
        max_length=30,
        choices=[(key, label) for key, (label, _unit, _better) in INDICATORS.items()],
    )
    value = models.FloatField(_("importance"))

    class Meta:
        ordering = ["department__name", "first", "second"]
        verbose_name = _("KPI pairwise judgement")
        verbose_name_plural = _("KPI pairwise judgements (AHP)")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "first", "second"],
                name="kpi_judgement_once",
                condition=models.Q(department__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["first", "second"],
                name="kpi_judgement_once_desk",
                condition=models.Q(department__isnull=True),
            ),
            models.CheckConstraint(
                condition=~models.Q(first=models.F("second")), name="kpi_judgement_two_indicators"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=1 / 9, value__lte=9), name="kpi_judgement_saaty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_first_display()} / {self.get_second_display()}: {self.value:g}"
