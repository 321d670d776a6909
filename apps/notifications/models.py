"""In-app notifications, webhook subscriptions, and the log of webhook deliveries."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.notifications.destinations import Unresolvable, UnsafeDestination, resolve
from apps.notifications.signing import iso_timestamp, new_secret

# A webhook is only ever an HTTP(S) POST.
WEBHOOK_SCHEMES = ("http", "https")
validate_webhook_url = URLValidator(schemes=list(WEBHOOK_SCHEMES))


def new_webhook_secret() -> str:
    """A Standard Webhooks secret, "whsec_<base64 of 32 random bytes>"."""
    return new_secret()


def check_webhook_destination(url: str) -> None:
    """Refuse a URL whose host is or resolves to an address webhooks may not reach (loopback,
    private, link-local ...; see destinations.py), unless SERVICEDESK_WEBHOOK_ALLOW_PRIVATE.

    A name that does not resolve now passes: every delivery resolves and checks it again."""
    try:
        resolve(url)
    except UnsafeDestination as refused:
        raise ValidationError(
            _(
                "%(host)s resolves to %(address)s, a %(kind)s address: webhooks are sent only "
                "to public addresses."
            )
            % {"host": refused.host, "address": refused.address, "kind": refused.kind},
            code="unsafe_destination",
        ) from None
    except (Unresolvable, ValueError):
        pass  # the URL validator names a malformed URL


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
        max_length=200,
        default=new_webhook_secret,
        help_text=_(
            "Signs every delivery (Standard Webhooks, HMAC-SHA256); the receiver keeps a copy "
            "to verify."
        ),
    )
    # After a rotation deliveries are signed with both secrets for a while, so the receiver can
    # change its copy without losing a delivery.
    previous_secret = models.CharField(
        _("previous secret"), max_length=200, blank=True, editable=False
    )
    previous_secret_until = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True, editable=False
    )
    event_kinds = models.JSONField(
        _("event types"),
        default=list,
        blank=True,
        help_text=_('A list such as ["request.created", "sla_breach"]; empty means every type.'),
    )
    internal = models.BooleanField(
        _("internal"),
        default=False,
        help_text=_("Also receives internal notes (message.created); else public replies only."),
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
                {"event_kinds": _("A list of event types (non-empty strings), or [] for all.")}
            )
        if self.url:
            try:
                check_webhook_destination(self.url)
            except ValidationError as error:
                raise ValidationError({"url": error.messages}) from None

    def wants(self, kind: str) -> bool:
        return not self.event_kinds or kind in self.event_kinds

    def secrets_in_use(self, now=None) -> list[str]:
        """The secrets deliveries are signed with now: the current one, and the previous one
        while it is still valid after a rotation."""
        until = self.previous_secret_until
        if self.previous_secret and until and until > (now or timezone.now()):
            return [self.secret, self.previous_secret]
        return [self.secret]


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
    event_kind = models.CharField(_("event type"), max_length=40)
    # The event-log row this delivery tells about (lifecycle types); with the subscription it
    # is unique, so feeding the same event twice creates no second delivery.
    event = models.ForeignKey(
        "eventlog.Event",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event"),
    )
    # When it happened: the envelope's `timestamp`, the same on every attempt.
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    # Callers may pass datetimes and decimals: stored as ISO strings and numbers in text.
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Attempts since the delivery was (re)queued: its place in the retry schedule.
    round_attempts = models.PositiveSmallIntegerField(_("attempts this round"), default=0)
    # When a pending delivery is due; the sweep sends what is due (null once it is settled).
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
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
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="webhook_delivery_once_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_kind} to {self.subscription} ({self.status})"

    @property
    def message_id(self) -> str:
        """The `webhook-id` header: the same on every attempt, so receivers deduplicate on it."""
        return f"msg_{self.pk}"

    def envelope(self) -> dict:
        """What the receiver gets (Standard Webhooks' shape): the same on every attempt, so a
        retry is byte-identical."""
        at = iso_timestamp(self.occurred_at)
        return {"type": self.event_kind, "timestamp": at, "data": self.payload}


class WebhookFeed(models.Model):
    """How far the lifecycle webhooks have read the event log: the last event id read, and
    the ids below it not seen yet (a transaction still open when the log was read, or one
    rolled back), kept for a while in case they commit later."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    last_event_id = models.BigIntegerField(_("last event read"), default=0)
    # {"<event id>": "<ISO time first missed>"}
    missing = models.JSONField(_("missing event ids"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook feed")
        verbose_name_plural = _("webhook feeds")

    def __str__(self) -> str:
        return f"{self.name} at event {self.last_event_id}"
