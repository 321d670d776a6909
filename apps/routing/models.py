"""Routing rules: conditions on a new request, and what to do with it; first match wins."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.lifecycle.priority import Priority


def validate_pattern(value: str) -> None:
    try:
        re.compile(value)
    except re.error as error:
        raise ValidationError(
            _("Not a valid regular expression: %(error)s"), params={"error": error}
        ) from None


class RoutingRule(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveIntegerField(
        _("order"), default=100, help_text=_("Rules are tried in this order.")
    )
    active = models.BooleanField(_("active"), default=True)
    # Conditions: each one left empty matches anything; all set ones must hold.
    categories = models.ManyToManyField(
        "tickets.Category", blank=True, related_name="+", verbose_name=_("categories")
    )
    keywords = models.JSONField(
        _("keywords"),
        default=list,
        blank=True,
        help_text=_('Any of these words in the subject or description, e.g. ["vpn", "wifi"].'),
    )
    pattern = models.CharField(
        _("regular expression"),
        max_length=300,
        blank=True,
        validators=[validate_pattern],
        help_text=_("Searched in the subject and description, case-insensitive."),
    )
    channels = models.JSONField(_("channels"), default=list, blank=True)
    customer_tiers = models.JSONField(_("customer tiers"), default=list, blank=True)
    languages = models.JSONField(_("customer languages"), default=list, blank=True)
    active_from = models.TimeField(_("from (time of day)"), null=True, blank=True)
    active_until = models.TimeField(
        _("until (time of day)"),
        null=True,
        blank=True,
        help_text=_("May be earlier than 'from' (over midnight)."),
    )
    time_zone = models.CharField(_("time zone of the hours"), max_length=60, default="UTC")
    # Actions.
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("send to department"),
    )
    priority = models.PositiveSmallIntegerField(
        _("set priority"), choices=Priority.choices, null=True, blank=True
    )
    raise_priority = models.BooleanField(_("raise priority one step"), default=False)
    tags = models.JSONField(_("add tags"), default=list, blank=True)
    required_skills = models.JSONField(
        _("require skills"),
        default=dict,
        blank=True,
        help_text=_('Skill name to minimum level, e.g. {"networking": 3}.'),
    )

    requires_approval = models.BooleanField(
        _("requires approval"),
        default=False,
        help_text=_("Matching requests wait for an approver before they are routed."),
    )
    approver_group = models.ForeignKey(
        "auth.Group",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approvers"),
        help_text=_("Empty: the leads of the department the request goes to."),
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name
