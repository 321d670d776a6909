"""What-if scenarios for the workers: a stored scenario is run on the long queue once it is
asked for (apps/simulation/services.py); PDCA cycles whose check is due remind their owner."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.dispatch import receiver
from django.utils.translation import gettext as _

from apps.simulation.pdca.reminders import do_remind_due_checks
from apps.simulation.services import do_fail_scenario, do_run_scenario
from apps.simulation.signals import scenario_requested
from workflows.enqueue import enqueue

# Validation and the comparison replicate the model many times: minutes, not seconds.
SCENARIO_LIMITS = {"soft_time_limit": 1800, "time_limit": 1900}


@shared_task(name="long.run_scenario", **SCENARIO_LIMITS)
def run_scenario(scenario_id: int) -> str:
    try:
        scenario = do_run_scenario(scenario_id)
    except SoftTimeLimitExceeded:
        do_fail_scenario(
            scenario_id, _("The run took too long: use fewer replications or simulated days.")
        )
        return "failed"
    return "taken elsewhere" if scenario is None else scenario.status


@shared_task(name="default.sweep_cycle_checks")
def sweep_cycle_checks() -> int:
    return do_remind_due_checks()


@receiver(scenario_requested, dispatch_uid="workflows.run_requested_scenario")
def run_requested_scenario(sender, *, scenario_id, **kwargs):
    enqueue("long.run_scenario", scenario_id=scenario_id)
