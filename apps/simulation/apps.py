"""App config for the what-if simulation (discovery from the log, the SimPy engine) and the PDCA
cycles that check a change on the desk itself."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimulationConfig(AppConfig):
    name = "apps.simulation"
    label = "simulation"
    verbose_name = _("What-if simulation")

    def ready(self) -> None:
        from apps.improvement import extensions
        from apps.simulation.pdca.selectors import problem_cycle_links

        extensions.add_problem_records(
            extensions.RecordList(
                key="pdca_cycles", label=_("PDCA cycles"), links=problem_cycle_links
            )
        )
