"""The conversation on a request: its messages, their files, and the customer's feedback."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.actors import Role


def merged_from_field() -> models.ForeignKey:
    """The request a message or file was on, when that one was merged into the request it is
    on now as a duplicate (merging.py); empty otherwise."""
    return models.ForeignKey(
        "tickets.ServiceRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged from"),
        db_index=False,
    )


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public reply")
    INTERNAL = "internal", _("Internal note")


class Message(models.Model):
    request = models.ForeignKey(
        "tickets.ServiceRequest", on_delete=models.PROTECT, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_role = models.CharField(_("author role"), max_length=10, choices=Role.choices)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    body = models.TextField(_("message"), max_length=20000)
    created_at = models.DateTimeField(_("sent"))
    merged_from = merged_from_field()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["request", "created_at"], name="msg_request_created")]

    def __str__(self) -> str:
        return (
            f"{self.get_visibility_display()} by {self.author_role} on {self.created_at:%Y-%m-%d}"
        )


class Attachment(models.Model):
    """A file attached to a request, at submission (no message: public) or with a message
    (as visible as the message). The bytes live in the `attachments` storage under
    `stored_name`; written only by `attachments.do_attach_files` and its kin."""

    request = models.ForeignKey(
        "tickets.ServiceRequest",
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("request"),
        db_index=False,  # att_request_created leads with it
    )
    message = models.ForeignKey(
        "tickets.Message",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploader_role = models.CharField(_("uploader role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("uploaded"))
    merged_from = merged_from_field()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["request", "created_at"], name="att_request_created")]

    def __str__(self) -> str:
        return self.name

    @property
    def internal(self) -> bool:
        """True when it came with an internal note: never shown to the customer."""
        message = self.message
        return message is not None and message.visibility == Visibility.INTERNAL


class Feedback(models.Model):
    """The customer's satisfaction (CSAT 1-5) with a resolved request, given once."""

    request = models.OneToOneField(
        "tickets.ServiceRequest", on_delete=models.PROTECT, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("given"))

    class Meta:
        # Moved here from the quality app without rebuilding the table (tickets/0005).
        db_table = "quality_feedback"
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5"
