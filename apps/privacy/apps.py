"""App config for privacy: adds its actions to the customer admin."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "apps.privacy"
    label = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from apps.privacy import admin  # noqa: F401  imported to extend the customer admin
