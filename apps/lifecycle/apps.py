"""App config for the lifecycle vocabulary (no models: states and priority as choices)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "apps.lifecycle"
    label = "lifecycle"
    verbose_name = _("Lifecycle")
