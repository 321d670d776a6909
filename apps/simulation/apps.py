"""App config for the what-if simulation (discovery from the log, the SimPy engine)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimulationConfig(AppConfig):
    name = "apps.simulation"
    label = "simulation"
    verbose_name = _("What-if simulation")
