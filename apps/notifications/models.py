"""In-app notifications, webhook subscriptions, and the log of webhook deliveries."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# urllib would also open file:// and ftp:// URLs; a webhook is only ever an HTTP(S) POST.
WEBHOOK_SCHEMES = ("http", "https")
validate_webhook_url = URLValidator(schemes=list(WEBHOOK_SCHEMES))


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("request"),
    )
    # An open set ("sla_warning", "sla_breach", "escalation", "handoff", ...): new kinds need
    # no migration, and webhook subscriptions name the same strings.
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set when the recipient had an address at creation; cleared if they have none at sending.
    email_wanted = models.BooleanField(_("e-mail wanted"), default=False)
    # Set once the e-mail went out: a redelivered task sees it and sends nothing again.
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # What it is about, for notices that must go out once however often their task runs
    # ("event:<request>:<seq>", "message:<id>"); blank for the rest.
    key = models.CharField(_("key"), max_length=60, blank=True, default="", editable=False)
    # The e-mail's Message-ID (without angle brackets), chosen before it is sent: a reply's
    # In-Reply-To or References names it, and the mail intake threads the reply by it.
    message_id = models.CharField(
        _("message ID"), max_length=250, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"],
                condition=~models.Q(key=""),
                name="notification_once_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification: by e-mail as well, or in the app only.

    Without a row the kind's default holds (`kinds.emailed_by_default`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_user_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {'e-mail' if self.email else 'in-app'}"


class WebhookSubscription(models.Model):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    secret = models.CharField(
        _("secret"),
        max_length=100,
        default=new_webhook_secret,
        help_text=_("Signs every delivery (HMAC-SHA256); the receiver keeps a copy to verify."),
    )
    event_kinds = models.JSONField(
        _("event kinds"),
        default=list,
        blank=True,
        help_text=_('A list such as ["sla_breach", "escalation"]; empty means every kind.'),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        kinds = self.event_kinds
        if not isinstance(kinds, list) or not all(isinstance(k, str) and k for k in kinds):
            raise ValidationError(
                {"event_kinds": _("A list of event kinds (non-empty strings), or [] for all.")}
            )

    def wants(self, kind: str) -> bool:
        return not self.event_kinds or kind in self.event_kinds


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event_kind = models.CharField(_("event kind"), max_length=40)
    # Callers may pass datetimes and decimals: stored as ISO strings and numbers in text.
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["status", "created_at"], name="webhook_delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.event_kind} to {self.subscription} ({self.status})"

    def envelope(self) -> dict:
        """What the receiver gets: the same on every attempt, so a retry is byte-identical."""
        return {
            "id": self.pk,
            "event": self.event_kind,
            "created_at": self.created_at.isoformat(),
            "data": self.payload,
        }
