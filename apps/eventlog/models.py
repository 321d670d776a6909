"""The event log: one append-only row per thing that happened to a request.

The table keeps its first name, `quality_event` (the model moved here from the quality app
without rebuilding it: migrations eventlog/0001 and quality/0009)."""

from collections.abc import Iterable
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.actors import Role
from apps.lifecycle.states import State


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
    MERGE = "merge", _("Merge")
    LINK = "link", _("Link")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an event-log row."""


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The event log is append-only: rows are never updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The event log is append-only: rows are never deleted.")

    # QuerySet._raw_delete takes `using`; any call of this one fails, which is the point.
    _raw_delete = delete  # type: ignore[assignment]

    def bulk_update(
        self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None
    ) -> NoReturn:
        raise AppendOnlyError("The event log is append-only: rows are never updated.")


class Event(models.Model):
    # Indexed by event_seq_unique (request, seq), which leads with it.
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
        verbose_name=_("request"),
    )
    seq = models.PositiveIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    transition = models.CharField(_("transition"), max_length=40, blank=True)
    from_state = models.CharField(_("from state"), max_length=30, blank=True)
    to_state = models.CharField(_("to state"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_role = models.CharField(_("actor role"), max_length=10, choices=Role.choices)
    # Who held the request once the event had happened.
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    assignee = models.ForeignKey(
        "accounts.Agent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    at = models.DateTimeField(_("at"))
    # Time spent in the state this event leaves; empty where the state does not change.
    wall_seconds = models.FloatField(_("wall seconds in state"), null=True, blank=True)
    business_seconds = models.FloatField(_("business seconds in state"), null=True, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        db_table = "quality_event"
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
        # Shown to agents (the request page's event rows): labels in their language, not codes.
        states = dict(State.choices)
        left = states.get(self.from_state, self.from_state) or "·"
        entered = states.get(self.to_state, self.to_state)
        return f"#{self.seq} {self.get_kind_display()}: {left} → {entered}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The event log is append-only: rows are never updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The event log is append-only: rows are never deleted.")
