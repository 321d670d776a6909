"""A scenario's stored validation and results holding every kind of KPI the engine reports
(SLA shares of the first and next response, utilisation per department, a handoff pair's
passes, OLA shares and declined share), made by apps/simulation/reports.py from a real run."""

from datetime import UTC, datetime, timedelta

from apps.simulation.engine import HOUR
from apps.simulation.kpis import interval
from apps.simulation.reports import comparison_json, validation_json
from apps.simulation.scenarios import compare
from apps.simulation.side_steps import SideStep
from apps.simulation.validation import Validation, _check, _too_thin
from tests.support.simulation import fixed, queue_model

TEST_START = datetime(2026, 2, 20, tzinfo=UTC)


def consult_key(first: str, second: str) -> str:
    return f"consult|{first}>{second}"


def every_kpi_model(first: str, second: str):
    """Department `first` works the requests; after the work 40 % consult `second` (OLA targets
    for acceptance and completion, a fifth declined); a third wait for the customer, whose
    reply starts a next-response clock; first- and next-response targets for priority 3."""
    model = queue_model(per_hour=1.5, agents=3, service=fixed(HOUR))
    model.routes = {"|": {first: 1.0}}
    model.capacity = {first: 3, second: 2}
    model.transitions["in_progress"] = {"pending_customer": 0.3, "resolved": 0.7}
    model.transitions["pending_customer"] = {"in_progress": 1.0}
    model.durations["pending_customer"] = fixed(2 * HOUR)
    model.durations["in_progress<pending_customer"] = fixed(HOUR / 2)
    model.response_targets = {"3": HOUR}
    model.first_response = {"in_progress": {"share": 1.0, "fractions": [i / 20 for i in range(21)]}}
    model.next_response = {"in_progress": {"share": 0.9, "fractions": [0.5] * 21}}
    model.next_targets = {"3": HOUR / 2}
    step = SideStep(
        key=consult_key(first, second),
        state="handoff",
        after="in_progress",
        share=0.4,
        departments=[first],
        wait=fixed(HOUR / 2),
        work=fixed(HOUR / 2),
        department=second,
        kind="consult",
        targets={"acceptance": 0.75 * HOUR, "completion": 0.75 * HOUR},
        refused_share=0.2,
        refused_wait=fixed(HOUR),
    )
    model.side_steps = [step.to_dict()]
    return model


def every_kpi_changes(first: str, second: str) -> dict:
    """An agent more in `first`, a one-hour next-response target, 40 % of the consults
    declined or expired, `first`'s requests given in turn."""
    return {
        "agents": {first: 4},
        "next_response_hours": {"3": 1},
        "handoff_refusals": {consult_key(first, second): 0.4},
        "routing_strategy": {first: "round_robin"},
    }


def every_kpi_results(first: str, second: str) -> dict:
    """`comparison_json` of the model beside `every_kpi_changes`."""
    model, changes = every_kpi_model(first, second), every_kpi_changes(first, second)
    return comparison_json(compare(model, changes, days=4, replications=4, seed=5, warmup_days=1))


def every_kpi_validation(first: str, second: str, *, thin: bool = False) -> dict:
    """`validation_json` of a validation with a check of each kind: the targeted ones (a time,
    relative; SLA shares, in points; with the log's own intervals), the reported ones,
    utilisation per department and a handoff pair's OLA shares. `thin`: the log's
    first-response share known too loosely to tell (the reason stored, the model not valid)."""
    key = consult_key(first, second)
    spread = 0.12 if thin else 0.03
    logs = {
        "ttr_median_h": (3.8, 4.4),
        "sla_resolution_share": (0.95, 0.974),
        "sla_first_response_share": (0.548 - spread, 0.548 + spread),
    }
    figures = [
        ("ttr_median_h", 4.07, [4.0, 4.3, 4.1, 4.2], (0.15, True)),
        ("sla_resolution_share", 0.962, [0.95, 0.97, 0.96, 0.94], (0.05, False)),
        ("sla_first_response_share", 0.548, [0.50, 0.52, 0.51, 0.49], (0.05, False)),
        ("arrivals", 990.0, [1050.0, 1077.0, 1090.0, 1101.0], (None, True)),
        ("ttr_p90_h", 45.3, [44.0, 45.0, 46.0, 43.5], (None, True)),
        ("backlog_mean", 31.1, [31.0, 32.5, 30.0, 31.7], (None, True)),
        (f"ola_acceptance|{key}", 0.5, [0.46, 0.52, 0.49, 0.55], (None, False)),
        (f"ola_completion|{key}", 0.79, [0.81, 0.84, 0.77, 0.8], (None, False)),
        (f"utilisation|{first}", 0.54, [0.5, 0.52, 0.49, 0.48], (None, True)),
        (f"utilisation|{second}", 1.02, [0.8, 0.83, 0.79, 0.84], (None, True)),
    ]
    validation = Validation(
        model=every_kpi_model(first, second),
        fit=(TEST_START - timedelta(days=42), TEST_START),
        test=(TEST_START, TEST_START + timedelta(days=21)),
    )
    for name, observed, runs, (tolerance, relative) in figures:
        check = _check(name, observed, interval(runs), tolerance, relative)
        check.observed_interval = logs.get(name)
        validation.checks.append(check)
        validation.too_thin += [_too_thin(check)] if _too_thin(check) else []
    days = [interval([30.0 + day % 7, 32.0 + day % 5]) for day in range(21)]
    validation.backlog = ([30.0 + (day * 7) % 5 for day in range(21)], days)
    return validation_json(validation)
