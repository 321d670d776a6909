"""Validations and comparisons as JSON, stored with a scenario and shown by the admin and API."""

from dataclasses import asdict

from apps.simulation.kpis import backlog_series
from apps.simulation.scenarios import Comparison
from apps.simulation.staffing import Judged, StaffingPlan
from apps.simulation.validation import Validation


def validation_json(validation: Validation) -> dict:
    return {
        "valid": validation.valid,
        "fit": [moment.isoformat() for moment in validation.fit],
        "test": [moment.isoformat() for moment in validation.test],
        "requests": validation.model.observed.get("requests"),
        "too_thin": validation.too_thin,
        "decided_by_other": validation.decided_by_other,
        "checks": [
            {
                "kpi": check.name,
                "observed": check.observed,
                "simulated": None if check.simulated is None else asdict(check.simulated),
                "error": check.error,
                "tolerance": check.tolerance,
                "relative": check.relative,
                "passed": check.passed,
                "observed_interval": check.observed_interval,
            }
            for check in validation.checks
        ],
        # The open requests of each day of the test period: the log's, and the simulated
        # estimate over the replications.
        "backlog": {
            "observed": validation.backlog[0],
            "simulated": [asdict(day) for day in validation.backlog[1]],
        },
    }


def comparison_json(comparison: Comparison) -> dict:
    """Per KPI the as-is and the scenario estimates side by side, the agent hours, and the open
    requests of each day of the run (each day's estimate over the replications)."""
    as_is, as_is_days = backlog_series(comparison.as_is)
    scenario, scenario_days = backlog_series(comparison.scenario)
    names = sorted(set(as_is) | set(scenario))
    return {
        "kpis": [
            {
                "kpi": name,
                "as_is": _estimate(as_is.get(name)),
                "scenario": _estimate(scenario.get(name)),
            }
            for name in names
        ],
        "agent_hours": {"as_is": comparison.agent_hours[0], "scenario": comparison.agent_hours[1]},
        "backlog": {
            "as_is": [asdict(day) for day in as_is_days],
            "scenario": [asdict(day) for day in scenario_days],
        },
    }


def _estimate(estimate) -> dict | None:
    return None if estimate is None else asdict(estimate)


def staffing_json(plan: StaffingPlan) -> dict:
    """The staffing search's answer: per department the agents per band as-is and optimised
    (and after the moves), their resolution-SLA shares with intervals; agent hours; the moves;
    what the search spent."""
    judged = {"as_is": plan.as_is, "optimised": plan.optimised, "moved": plan.moved}
    return {
        "target_share": plan.target_share,
        "band_hours": plan.band_hours,
        "departments": [
            {
                "department": department,
                **{name: _judged(j, department) for name, j in judged.items() if j is not None},
            }
            for department in sorted(plan.as_is.staffing)
        ],
        "agent_hours": {"as_is": plan.agent_hours[0], "optimised": plan.agent_hours[1]},
        "moves": [asdict(move) for move in plan.moves],
        "unreachable": plan.unreachable,
        "runs": plan.runs,
        "budget": plan.budget,
        "exhausted": plan.exhausted,
    }


def _judged(judged: Judged, department: str) -> dict:
    return {
        "agents": judged.staffing[department],
        "sla": _estimate(judged.sla.get(department)),
        "utilisation": [round(u, 3) for u in judged.utilisation[department]],
        "met": judged.met[department],
    }
