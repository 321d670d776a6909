"""The event log: one append-only row per thing that happened to a request."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.actors import Role
from apps.quality.scorecard import INDICATORS


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("Transition")
    MESSAGE = "message", _("Message")
    ASSIGNMENT = "assignment", _("Assignment")
    SLA_CLOCK = "sla_clock", _("SLA clock")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breach")
    ESCALATION = "escalation", _("Escalation")
    HANDOFF = "handoff", _("Handoff")
    BOT = "bot", _("Bot")
    FEEDBACK = "feedback", _("Feedback")
    BREACH_RISK = "breach_risk", _("Breach risk")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an event-log row."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The event log is append-only: rows are never updated.")

    def delete(self):
        raise AppendOnlyError("The event log is append-only: rows are never deleted.")

    _raw_delete = delete

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("The event log is append-only: rows are never updated.")


class Event(models.Model):
    # Indexed by event_seq_unique (request, seq), which leads with it.
    request = models.ForeignKey(
        "tickets.ServiceRequest", on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    transition = models.CharField(_("transition"), max_length=40, blank=True)
    from_state = models.CharField(_("from state"), max_length=30, blank=True)
    to_state = models.CharField(_("to state"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(_("actor role"), max_length=10, choices=Role.choices)
    # Who held the request once the event had happened.
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        "accounts.Agent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    # Time spent in the state this event leaves; empty where the state does not change.
    wall_seconds = models.FloatField(_("wall seconds in state"), null=True, blank=True)
    business_seconds = models.FloatField(_("business seconds in state"), null=True, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["request_id", "seq"]
        verbose_name = _("event")
        verbose_name_plural = _("event log")
        constraints = [
            models.UniqueConstraint(fields=["request", "seq"], name="event_seq_unique"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="event_seq_positive"),
        ]
        indexes = [
            models.Index(fields=["at"], name="event_at"),
            models.Index(fields=["kind", "at"], name="event_kind_at"),
        ]

    def __str__(self) -> str:
        what = self.transition or self.kind
        return f"#{self.seq} {what} {self.from_state}->{self.to_state}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The event log is append-only: rows are never updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The event log is append-only: rows are never deleted.")


class Feedback(models.Model):
    """The customer's satisfaction (CSAT 1-5) with a resolved request, given once."""

    request = models.OneToOneField(
        "tickets.ServiceRequest", on_delete=models.PROTECT, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("given"))

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5"


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
        return f"{self.metric} ({self.department or '*'})"


class QualityDashboard(QualityAlert):
    """No data of its own: the admin's entry to the quality dashboard page."""

    class Meta:
        proxy = True
        verbose_name = _("quality dashboard")
        verbose_name_plural = _("quality dashboard")
