"""What an agent keeps about the queues: when they last looked at a request, and saved views."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# The queue's columns, in the order the list shows them; a saved view picks among these.
# "reference" always shows (it is the row's link), so it is not a choice.
QUEUE_COLUMNS = [
    "subject",
    "next",
    "state",
    "sla",
    "priority",
    "department",
    "assignee",
    "customer",
    "age",
]


def check_columns(columns) -> None:
    """Refuse anything but a non-empty list of known queue columns, each once."""
    if not isinstance(columns, list) or not columns:
        raise ValidationError(_("Choose at least one column."), code="no_columns")
    unknown = [str(c) for c in columns if c not in QUEUE_COLUMNS]
    if unknown:
        raise ValidationError(
            _("Unknown columns: %(unknown)s. Known columns: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(QUEUE_COLUMNS)},
            code="unknown_columns",
        )
    if len(set(columns)) != len(columns):
        raise ValidationError(_("Each column may be chosen once."), code="repeated_columns")


class RequestSeen(models.Model):
    """An agent's last look at a request: the request's event sequence number then. Written by
    one upsert each time the agent opens the request page (`do_remember_look`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    request = models.ForeignKey(
        "tickets.ServiceRequest", on_delete=models.CASCADE, related_name="+"
    )
    seen_seq = models.PositiveIntegerField()
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "request"], name="seen_one_per_user_request")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.request_id} at #{self.seen_seq}"


class SavedView(models.Model):
    """A queue as an agent keeps it: the list's filters, search and order (its query string)
    and the columns shown; the owner's own, or shared with one of their departments."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
        db_index=False,  # view_owner_name leads with it
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    columns = models.JSONField(_("columns"), default=list, validators=[check_columns])
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared with department"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="view_owner_name")]

    def __str__(self) -> str:
        return self.name
