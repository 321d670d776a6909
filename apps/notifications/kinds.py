"""The kinds of notification the desk sends, who they are for, and whether they are e-mailed
unless the person chose otherwise.

`Notification.kind` stays an open set (a new kind needs no migration, and webhook subscriptions
name the same strings); list a new kind here so that the API's schema, the admin and the
preferences name it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    # For customers: the conversation on their own requests.
    AGENT_REPLY = "agent_reply", _("An agent replied")
    INFO_REQUESTED = "info_requested", _("Information requested")
    BOT_ANSWER = "bot_answer", _("An answer from the FAQ")
    REQUEST_RESOLVED = "request_resolved", _("Request resolved")
    REQUEST_REOPENED = "request_reopened", _("Request reopened")
    REQUEST_CANCELLED = "request_cancelled", _("Request cancelled")
    REQUEST_MERGED = "request_merged", _("Request merged into another")
    FEEDBACK_INVITATION = "feedback_invitation", _("Invitation to rate a resolved request")
    APPROVAL_PENDING = "approval_pending", _("Request waits for approval")
    REQUEST_APPROVED = "request_approved", _("Request approved")
    REQUEST_REJECTED = "request_rejected", _("Request rejected")
    # For agents: work that waits for them.
    ASSIGNED = "assigned", _("Request assigned to you")
    CUSTOMER_REPLIED = "customer_replied", _("The customer replied")
    APPROVAL_REQUESTED = "approval_requested", _("Approval waiting for you")
    ESCALATION = "escalation", _("SLA escalation")
    HANDOFF = "handoff", _("Handoff for your department")
    OLA_WARNING = "ola_warning", _("Handoff due soon")
    OLA_BREACH = "ola_breach", _("Handoff overdue")
    BREACH_RISK = "breach_risk", _("Request at risk of breaching its SLA")
    QUALITY_ALERT = "quality_alert", _("Quality alert")
    CYCLE_CHECK_DUE = "cycle_check_due", _("A PDCA cycle's check is due")


CUSTOMER_KINDS = frozenset(
    {
        NotificationKind.AGENT_REPLY,
        NotificationKind.INFO_REQUESTED,
        NotificationKind.BOT_ANSWER,
        NotificationKind.REQUEST_RESOLVED,
        NotificationKind.REQUEST_REOPENED,
        NotificationKind.REQUEST_CANCELLED,
        NotificationKind.REQUEST_MERGED,
        NotificationKind.FEEDBACK_INVITATION,
        NotificationKind.APPROVAL_PENDING,
        NotificationKind.REQUEST_APPROVED,
        NotificationKind.REQUEST_REJECTED,
    }
)
AGENT_KINDS = frozenset(NotificationKind.values) - CUSTOMER_KINDS

# Early warnings and charts' signals arrive often and are read in the desk: in the app only,
# unless the person asks for e-mail. Everything else someone waits for is e-mailed too.
IN_APP_BY_DEFAULT = frozenset(
    {NotificationKind.BREACH_RISK, NotificationKind.OLA_WARNING, NotificationKind.QUALITY_ALERT}
)


def emailed_by_default(kind: str) -> bool:
    return kind not in IN_APP_BY_DEFAULT
