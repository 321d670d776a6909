"""The audit of personal-data work: what was exported, erased or anonymised, when, by whom.

Rows name the customer and requests by id and count what changed; they hold no personal data
(an erased customer's row says only that customer #12 was erased)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    EXPORT = "export", _("Export")
    ERASURE = "erasure", _("Erasure")
    RETENTION = "retention", _("Anonymised after retention")


class PrivacyRecord(models.Model):
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # Ids, not foreign keys: the record outlives whatever it names.
    customer_id = models.PositiveBigIntegerField(_("customer"), null=True, blank=True)
    requests = models.PositiveIntegerField(_("requests"), default=0)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    # What changed, counted by kind of row ({"messages": 4, "attachments": 1, ...}).
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("personal-data record")
        verbose_name_plural = _("personal-data records")
        constraints = [
            # Erasure is done once per customer: a second call finds this row and stops.
            models.UniqueConstraint(
                fields=["customer_id"],
                condition=models.Q(action="erasure"),
                name="privacy_erasure_once",
            ),
        ]
        indexes = [models.Index(fields=["action", "at"], name="privacy_action_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.customer_id or '-'} {self.at:%Y-%m-%d}"


class AnonymisedRequest(models.Model):
    """A request whose texts were anonymised (by an erasure or by retention): the retention
    sweep skips it, and the admin can say why its subject reads "[erased]"."""

    request = models.OneToOneField(
        "tickets.ServiceRequest",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("request"),
    )
    record = models.ForeignKey(
        PrivacyRecord,
        on_delete=models.PROTECT,
        related_name="anonymised",
        verbose_name=_("record"),
    )

    class Meta:
        verbose_name = _("anonymised request")
        verbose_name_plural = _("anonymised requests")

    def __str__(self) -> str:
        return f"{self.request_id}"
