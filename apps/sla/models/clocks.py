"""SLA clocks: one per request and target, with an absolute deadline while running."""

from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.sla.business_time import Schedule, add_business_seconds, business_seconds_between
from apps.sla.models.policies import ClockKind, SLAPolicy


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class SLAClock(models.Model):
    request = models.ForeignKey(
        "tickets.ServiceRequest", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    kind = models.CharField(_("target"), max_length=20, choices=ClockKind.choices)
    policy = models.ForeignKey(SLAPolicy, on_delete=models.PROTECT, related_name="clocks")
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    target_seconds = models.PositiveIntegerField(_("target (business seconds)"))
    # Business seconds used up before the current run began.
    elapsed_seconds = models.FloatField(default=0)
    running_since = models.DateTimeField(null=True, blank=True)
    # While running: when the target runs out, and when the sweep must look next.
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    # The highest share of the target (in %) whose warning, breach or step was recorded.
    percent_recorded = models.PositiveSmallIntegerField(default=0)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="one_clock_per_target"),
        ]
        indexes = [
            # The sweep's range query: running clocks whose next threshold has passed.
            models.Index(
                fields=["next_check_at"], name="slaclock_due", condition=models.Q(state="running")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.state})"

    # --- arithmetic on a schedule: in memory only, the caller saves -------------------------

    def elapsed_at(self, schedule: Schedule, at: datetime) -> float:
        if self.state != ClockState.RUNNING or self.running_since is None:
            return self.elapsed_seconds
        return self.elapsed_seconds + business_seconds_between(schedule, self.running_since, at)

    def thresholds(self) -> list[int]:
        """The shares of the target (in %) at which something is recorded: the warning, the
        breach at 100, and the escalation steps of the policy (steps prefetched)."""
        percents = {self.policy.warning_percent, 100}
        if self.policy.escalation_policy_id:
            percents |= {
                s.at_percent
                for s in self.policy.escalation_policy.steps.all()
                if s.at_percent and (not s.clock_kind or s.clock_kind == self.kind)
            }
        return sorted(percents)

    def instant_of(self, schedule: Schedule, percent: int) -> datetime:
        """When a running clock reaches `percent` of its target (now or earlier if past)."""
        left = self.target_seconds * percent / 100 - self.elapsed_seconds
        return add_business_seconds(schedule, self.running_since, max(left, 0.0))

    def plan(self, schedule: Schedule) -> None:
        """Set deadline and next_check_at from the current run (None unless running)."""
        if self.state != ClockState.RUNNING:
            self.deadline = self.next_check_at = None
            return
        self.deadline = self.instant_of(schedule, 100)
        upcoming = [p for p in self.thresholds() if p > self.percent_recorded]
        self.next_check_at = self.instant_of(schedule, upcoming[0]) if upcoming else None

    def start(self, schedule: Schedule, at: datetime) -> None:
        self.state, self.running_since = ClockState.RUNNING, at
        self.plan(schedule)

    def halt(self, schedule: Schedule, at: datetime, state: str) -> None:
        """Pause or stop: bank the business time of the current run."""
        self.elapsed_seconds = self.elapsed_at(schedule, at)
        self.state, self.running_since = state, None
        if state == ClockState.STOPPED:
            self.stopped_at = at
        self.plan(schedule)

    def restart(self, schedule: Schedule, at: datetime) -> None:
        """A fresh run from zero (the next-response clock after each customer reply)."""
        self.elapsed_seconds, self.percent_recorded = 0.0, 0
        self.warned_at = self.breached_at = self.stopped_at = None
        self.start(schedule, at)

    def summary(self, schedule: Schedule, at: datetime) -> dict:
        """What the API and the admin show: state, deadline, business time left or overdue."""
        elapsed = self.elapsed_at(schedule, at)
        return {
            "target": self.kind,
            "state": self.state,
            "deadline": self.deadline,
            "target_seconds": self.target_seconds,
            "elapsed_business_seconds": round(elapsed),
            "remaining_business_seconds": round(self.target_seconds - elapsed),
            "used_percent": round(100 * elapsed / self.target_seconds)
            if self.target_seconds
            else 100,
            "warning": self.warned_at is not None,
            "breached": self.breached_at is not None,
        }
