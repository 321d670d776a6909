"""Request categories: where a category's requests go by default, and whether they need approval."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Department


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    default_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="default_categories",
        verbose_name=_("default department"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    requires_approval = models.BooleanField(
        _("requires approval"),
        default=False,
        help_text=_("New requests of this category wait for an approver before routing."),
    )
    approver_group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approvers"),
        help_text=_("Empty: the leads of the department the request goes to."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.approver_group_id and not self.requires_approval:
            raise ValidationError(
                {"approver_group": _("Approvers are asked only when approval is required.")}
            )
