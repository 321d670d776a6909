"""Departments, agents (skills, capacity, availability) and customers (organisation, tier)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentStrategy(models.TextChoices):
    MANUAL = "manual", _("Manual: agents take requests from the queue")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")
    SKILLS = "skills", _("Skills, then least loaded")


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="led_departments",
        verbose_name=_("leads"),
    )
    is_triage = models.BooleanField(
        _("triage department"),
        default=False,
        help_text=_("Receives requests that no category or rule sends elsewhere."),
    )
    assignment_strategy = models.CharField(
        _("assignment"),
        max_length=20,
        choices=AssignmentStrategy.choices,
        default=AssignmentStrategy.LEAST_LOADED,
    )
    rebalance_on_offline = models.BooleanField(
        _("requeue when the agent goes offline"),
        default=True,
        help_text=_("Requests an agent has not started go back to the queue."),
    )
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
        verbose_name=_("working hours"),
        help_text=_("Outside these hours nobody is assigned automatically; empty: always."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(
                fields=["is_triage"],
                condition=models.Q(is_triage=True),
                name="one_triage_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class Availability(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class Agent(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent",
        verbose_name=_("user"),
    )
    departments = models.ManyToManyField(
        Department, related_name="agents", verbose_name=_("departments")
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=10,
        help_text=_("Most open requests assigned at once."),
    )
    availability = models.CharField(
        _("availability"), max_length=10, choices=Availability.choices, default=Availability.OFFLINE
    )
    # When automatic assignment last gave this agent a request (round robin).
    last_assigned_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("last assigned")
    )
    skills = models.ManyToManyField(Skill, through="AgentSkill", blank=True)
    language = models.CharField(
        _("admin language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the browser's language."),
    )

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class AgentSkill(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="skill_levels")
    skill = models.ForeignKey(
        Skill, on_delete=models.CASCADE, related_name="agent_levels", verbose_name=_("skill")
    )
    level = models.PositiveSmallIntegerField(
        _("level"),
        default=1,
        help_text=_("1 (basic) to 5 (expert)."),
    )

    class Meta:
        verbose_name = _("agent skill")
        verbose_name_plural = _("agent skills")
        constraints = [
            models.UniqueConstraint(fields=["agent", "skill"], name="one_level_per_agent_skill"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="skill_level_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent}: {self.skill} ({self.level})"


class Tier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class Customer(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="customer",
        verbose_name=_("user"),
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.STANDARD)
    language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        name = self.user.get_full_name() or self.user.get_username()
        return f"{name} ({self.organisation})" if self.organisation else name
