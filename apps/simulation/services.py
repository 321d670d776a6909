"""Storing and running scenarios: a manager asks, a worker runs it (the long queue), the
scenario keeps its validation and results."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.core.door import announce_on_commit
from apps.core.errors import InvalidData
from apps.simulation.changes import check
from apps.simulation.models import Scenario, ScenarioStatus
from apps.simulation.signals import scenario_requested


def do_request_scenario(*, user, name: str, changes: dict, **run: object) -> Scenario:
    """Store a scenario and have it run after commit; a bad change is refused (InvalidData
    naming it) and nothing is stored."""
    check(changes)
    with transaction.atomic():
        scenario = Scenario.objects.create(name=name, changes=changes, created_by=user, **run)
        announce_on_commit(scenario_requested, sender=Scenario, scenario_id=scenario.pk)
    return scenario


def do_run_scenario(scenario_id: int, *, now: datetime | None = None) -> Scenario | None:
    """Validate the as-is model, then run the scenario beside it; a scenario already taken by
    another worker (or finished) is left alone, so a task delivered twice runs once."""
    taken = Scenario.objects.filter(pk=scenario_id, status=ScenarioStatus.PENDING).update(
        status=ScenarioStatus.RUNNING
    )
    if not taken:
        return None
    scenario = Scenario.objects.get(pk=scenario_id)
    end = now or timezone.now()
    try:
        _run(scenario, end)
    except InvalidData as error:
        scenario.status, scenario.error = ScenarioStatus.FAILED, error.message
    scenario.finished_at = timezone.now()
    scenario.save()
    return scenario


def _run(scenario: Scenario, end: datetime) -> None:
    # The engine's numerical libraries load in the worker that runs it, not at start-up.
    from apps.simulation.calendars_in_force import in_force
    from apps.simulation.discovery import discover
    from apps.simulation.reports import comparison_json, validation_json
    from apps.simulation.scenarios import compare
    from apps.simulation.validation import validate

    split = end - timedelta(days=scenario.test_days)
    validation = validate(
        fit_start=split - timedelta(days=scenario.fit_days),
        split=split,
        end=end,
        replications=scenario.replications,
        seed=scenario.seed,
    )
    scenario.validation = validation_json(validation)
    if not validation.valid:
        scenario.status = ScenarioStatus.INVALID
        return
    fit = (end - timedelta(days=scenario.fit_days), end)
    model = discover(start=fit[0], end=fit[1])
    # The office opens by its calendars over the days the scenario looks ahead (a change of
    # daylight saving time between the fitted days and those moves it by an hour in UTC).
    in_force(model, fit, (end, end + timedelta(days=scenario.days)))
    if "optimise_staffing" in scenario.changes:
        scenario.results = {"staffing": _optimise(model, scenario)}
        scenario.status = ScenarioStatus.DONE
        return
    comparison = compare(
        model,
        scenario.changes,
        days=scenario.days,
        replications=scenario.replications,
        seed=scenario.seed,
    )
    scenario.results = comparison_json(comparison)
    scenario.status = ScenarioStatus.DONE


def _optimise(model, scenario: Scenario) -> dict:
    """The staffing search on the model with the scenario's other changes made."""
    from apps.simulation.changes import OPTIMISE_DEFAULTS
    from apps.simulation.reports import staffing_json
    from apps.simulation.scenarios import apply
    from apps.simulation.staffing import optimise_staffing

    options = {**OPTIMISE_DEFAULTS, **scenario.changes["optimise_staffing"]}
    plan = optimise_staffing(
        apply(model, scenario.changes),
        days=scenario.days,
        replications=scenario.replications,
        seed=scenario.seed,
        **options,
    )
    return staffing_json(plan)


def do_rerun_scenario(scenario: Scenario) -> Scenario:
    """Ask for a finished scenario to run again (on today's log)."""
    with transaction.atomic():
        Scenario.objects.filter(pk=scenario.pk).update(
            status=ScenarioStatus.PENDING, validation={}, results={}, error="", finished_at=None
        )
        announce_on_commit(scenario_requested, sender=Scenario, scenario_id=scenario.pk)
    scenario.refresh_from_db()
    return scenario


def do_fail_scenario(scenario_id: int, message: str) -> None:
    """A run stopped from outside (out of time): the scenario says so instead of running for
    ever."""
    Scenario.objects.filter(pk=scenario_id, status=ScenarioStatus.RUNNING).update(
        status=ScenarioStatus.FAILED, error=message, finished_at=timezone.now()
    )
