"""The event types webhooks carry: subscriptions name them, the API documents them.

Lifecycle types are hierarchical, as Standard Webhooks recommends; the older types keep the
names subscriptions already hold (`sla_breach`, ...).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEventType(models.TextChoices):
    REQUEST_CREATED = "request.created", _("A request was submitted")
    REQUEST_STATE_CHANGED = "request.state_changed", _("A request went through a transition")
    MESSAGE_CREATED = "message.created", _("A reply or an internal note was posted")
    SLA_WARNING = "sla_warning", _("An SLA target is near")
    SLA_BREACH = "sla_breach", _("An SLA target was missed")
    ESCALATION = "escalation", _("A request was escalated")
    HANDOFF = "handoff", _("A handoff step")
    BREACH_RISK = "breach_risk", _("A request is at risk of breaching its SLA")
    QUALITY_ALERT = "quality_alert", _("A quality alert")


LIFECYCLE_TYPES = frozenset(
    {
        WebhookEventType.REQUEST_CREATED,
        WebhookEventType.REQUEST_STATE_CHANGED,
        WebhookEventType.MESSAGE_CREATED,
    }
)
