"""Imported event logs: a separate analysis space for histories from other systems."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedLog(models.Model):
    """One imported event log (CSV or XES), analysed apart from the desk's own log."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    source = models.CharField(_("source file"), max_length=300, blank=True)
    options = models.JSONField(_("import options"), default=dict, blank=True)
    event_count = models.PositiveIntegerField(_("events"), default=0)
    case_count = models.PositiveIntegerField(_("cases"), default=0)
    # {case id: {attribute: value}} as the file gave them (XES trace attributes).
    case_attributes = models.JSONField(_("case attributes"), default=dict, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("imported event log")
        verbose_name_plural = _("imported event logs")

    def __str__(self) -> str:
        return self.name


class ImportedEvent(models.Model):
    """One event of an imported log; `seq` orders a case's events (by time, then file line)."""

    log = models.ForeignKey(ImportedLog, on_delete=models.CASCADE, related_name="events")
    case_id = models.CharField(_("case"), max_length=200)
    seq = models.PositiveIntegerField(_("sequence"))
    activity = models.CharField(_("activity"), max_length=200)
    at = models.DateTimeField(_("timestamp"))
    resource = models.CharField(_("resource"), max_length=200, blank=True)
    line = models.PositiveIntegerField(_("line in the file"))

    class Meta:
        ordering = ["log", "case_id", "seq"]
        verbose_name = _("imported event")
        verbose_name_plural = _("imported events")
        constraints = [
            models.UniqueConstraint(fields=["log", "case_id", "seq"], name="imported_event_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.seq} {self.activity}"
