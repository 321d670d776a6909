"""Links between related requests: symmetric, stored once with the lower id first."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestLink(models.Model):
    """Two requests an agent marked as related (the same outage, a follow-up). Written and
    removed only by `related.do_link_requests` / `do_unlink_requests`, which log both ends."""

    low = models.ForeignKey(
        "tickets.ServiceRequest",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("request"),
        db_index=False,  # link_pair leads with it
    )
    high = models.ForeignKey(
        "tickets.ServiceRequest",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("related request"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked by"),
    )
    created_at = models.DateTimeField(_("linked"))

    class Meta:
        verbose_name = _("request link")
        verbose_name_plural = _("request links")
        constraints = [
            models.UniqueConstraint(fields=["low", "high"], name="link_pair"),
            models.CheckConstraint(condition=models.Q(low__lt=models.F("high")), name="link_order"),
        ]

    def __str__(self) -> str:
        return f"{self.low_id} ~ {self.high_id}"
