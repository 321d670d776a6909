"""Priority from impact and urgency by the ITIL matrix, unless an agent or a rule sets it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Priority(models.IntegerChoices):
    CRITICAL = 1, _("P1 critical")
    HIGH = 2, _("P2 high")
    MEDIUM = 3, _("P3 medium")
    LOW = 4, _("P4 low")


_MATRIX = {
    (Level.HIGH, Level.HIGH): Priority.CRITICAL,
    (Level.HIGH, Level.MEDIUM): Priority.HIGH,
    (Level.MEDIUM, Level.HIGH): Priority.HIGH,
    (Level.HIGH, Level.LOW): Priority.MEDIUM,
    (Level.MEDIUM, Level.MEDIUM): Priority.MEDIUM,
    (Level.LOW, Level.HIGH): Priority.MEDIUM,
    (Level.MEDIUM, Level.LOW): Priority.LOW,
    (Level.LOW, Level.MEDIUM): Priority.LOW,
    (Level.LOW, Level.LOW): Priority.LOW,
}


def priority_for(impact: str, urgency: str) -> Priority:
    """The matrix cell for an impact and an urgency (each high, medium or low)."""
    return _MATRIX[(Level(impact), Level(urgency))]


def raised(priority: int) -> Priority:
    """One step more urgent, stopping at critical."""
    return Priority(max(Priority.CRITICAL, int(priority) - 1))
