"""The kinds of notification the desk sends today: the API documents them as its `kind` values.

`Notification.kind` stays an open set (a new kind needs no migration, and webhook subscriptions
name the same strings); list a new kind here so that the API's schema and the admin name it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ESCALATION = "escalation", _("SLA escalation")
    HANDOFF = "handoff", _("Handoff for your department")
    OLA_WARNING = "ola_warning", _("Handoff due soon")
    OLA_BREACH = "ola_breach", _("Handoff overdue")
    BREACH_RISK = "breach_risk", _("Request at risk of breaching its SLA")
    QUALITY_ALERT = "quality_alert", _("Quality alert")
    FEEDBACK_INVITATION = "feedback_invitation", _("Invitation to rate a resolved request")
