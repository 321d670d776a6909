"""App config for continuous improvement: early warning, staffing forecast, corrective actions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "apps.improvement"
    label = "improvement"
    verbose_name = _("Continuous improvement")
