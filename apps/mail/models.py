"""Mailboxes the desk reads, and one row per mail taken in (its Message-ID: taken in once)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Security(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (plain text)")


class Mailbox(models.Model):
    """An IMAP mailbox customers write to; new requests from it go to `department` if set,
    else through the routing rules."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.EmailField(_("address customers write to"), blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailboxes",
        verbose_name=_("department"),
        help_text=_("New requests go to this department; empty: the routing rules decide."),
    )
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("IMAP port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=255)
    password = models.CharField(_("password"), max_length=255, blank=True)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    CREATED = "created", _("Created a request")
    THREADED = "threaded", _("Added to a request")
    IGNORED = "ignored", _("Ignored (auto-reply or bounce)")
    REJECTED = "rejected", _("Rejected (unknown sender)")
    MALFORMED = "malformed", _("Malformed")
    TOO_LARGE = "too_large", _("Too large")


# The outcomes whose mail is kept whole (or its headers, when too large): nothing else of them
# is in the desk.
KEPT_ASIDE = frozenset({Outcome.REJECTED, Outcome.MALFORMED, Outcome.TOO_LARGE})


class InboundMail(models.Model):
    """One mail taken in, whatever became of it; written in the transaction that made its
    request or message, so a mail is either wholly taken in or not at all."""

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    mailbox = models.ForeignKey(
        Mailbox,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("mailbox"),
    )
    source = models.CharField(_("source"), max_length=40, default="imap")
    from_address = models.CharField(_("from"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("taken in at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_mails",
        verbose_name=_("request"),
    )
    # The message a reply became (`message_id` is the mail's Message-ID header).
    posted_message = models.ForeignKey(
        "tickets.Message",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    # The mail as received, for the outcomes that leave nothing else in the desk.
    raw = models.BinaryField(_("raw mail"), null=True, blank=True, editable=False)
    auto_replied_at = models.DateTimeField(_("auto-replied at"), null=True, blank=True)

    # Not a column: set on the record `take_in` returns for a mail it had already taken in.
    repeated = False

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("inbound mail")
        verbose_name_plural = _("inbound mails")
        indexes = [
            models.Index(fields=["from_address", "outcome"], name="inbound_mail_from_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"[:100]
