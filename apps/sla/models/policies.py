"""SLA policies (chosen by conditions, first match wins) and escalation policies with steps."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.lifecycle.priority import Priority


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")
    NEXT_RESPONSE = "next_response", _("Next response")


class EscalationPolicy(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    """What to do when a clock reaches `at_percent` of its target, or on a manual escalation."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    at_percent = models.PositiveSmallIntegerField(
        # xgettext: no-python-format
        _("at % of target"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("75 = at the warning, 100 = at the breach, 150 = half the target overdue."),
    )
    on_manual = models.BooleanField(
        _("on manual escalation"),
        default=False,
        help_text=_("Also run when an agent or the customer escalates."),
    )
    clock_kind = models.CharField(
        _("only for clock"), max_length=20, blank=True, choices=ClockKind.choices
    )
    notify_assignee = models.BooleanField(_("notify the assignee"), default=False)
    notify_lead = models.BooleanField(_("notify the department lead"), default=False)
    raise_priority = models.BooleanField(_("raise the priority"), default=False)
    raise_level = models.BooleanField(_("raise the escalation level"), default=False)
    move_to_department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("move to department"),
        help_text=_("Functional escalation (a tier 2)."),
    )

    class Meta:
        ordering = ["policy", "at_percent", "pk"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(at_percent__isnull=False) | models.Q(on_manual=True),
                name="escalation_step_has_a_trigger",
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.at_percent}%" if self.at_percent else _("manual")
        return f"{self.policy}: {when}"

    def actions(self) -> list[str]:
        names = ["notify_assignee", "notify_lead", "raise_priority", "raise_level"]
        done = [name for name in names if getattr(self, name)]
        if self.move_to_department_id:
            done.append("move_to_department")
        return done


class SLAPolicy(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveIntegerField(
        _("order"), default=100, help_text=_("Policies are tried in this order.")
    )
    active = models.BooleanField(_("active"), default=True)
    # Conditions: an empty condition matches everything.
    priorities = models.JSONField(
        _("priorities"), default=list, blank=True, help_text=_("e.g. [1, 2]; empty: any.")
    )
    customer_tiers = models.JSONField(_("customer tiers"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    categories = models.ManyToManyField(
        "tickets.Category", blank=True, related_name="+", verbose_name=_("categories")
    )
    departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="+", verbose_name=_("departments")
    )
    # Targets in business minutes on the calendar; empty: no such clock.
    first_response_minutes = models.PositiveIntegerField(
        _("first response (min)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(_("resolution (min)"), null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(
        _("next response (min)"),
        null=True,
        blank=True,
        help_text=_("After each customer reply, once the first response was given."),
    )
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        help_text=_("Empty: 24x7."),
        verbose_name=_("calendar"),
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warning at %"), default=75, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    escalation_policy = models.ForeignKey(
        EscalationPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("escalation policy"),
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name

    def matches(self, request) -> bool:
        """Whether the request meets every condition (categories and departments prefetched)."""
        checks = [
            (self.priorities, int(request.priority)),
            (self.channels, request.channel),
            (self.customer_tiers, request.customer.tier),
            ([c.pk for c in self.categories.all()], request.category_id),
            ([d.pk for d in self.departments.all()], request.department_id),
        ]
        return all(not allowed or value in allowed for allowed, value in checks)

    def target_seconds(self, kind: str) -> int | None:
        minutes = {
            ClockKind.FIRST_RESPONSE: self.first_response_minutes,
            ClockKind.RESOLUTION: self.resolution_minutes,
            ClockKind.NEXT_RESPONSE: self.next_response_minutes,
        }[kind]
        return None if minutes is None else minutes * 60

    def priority_labels(self) -> str:
        return ", ".join(str(Priority(p).label) for p in self.priorities) or "any"
