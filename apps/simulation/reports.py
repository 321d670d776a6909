"""Validations and comparisons as JSON, stored with a scenario and shown by the admin and API."""

from dataclasses import asdict

from apps.simulation.scenarios import Comparison
from apps.simulation.validation import Validation


def validation_json(validation: Validation) -> dict:
    return {
        "valid": validation.valid,
        "fit": [moment.isoformat() for moment in validation.fit],
        "test": [moment.isoformat() for moment in validation.test],
        "requests": validation.model.observed.get("requests"),
        "too_thin": validation.too_thin,
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
    }


def comparison_json(comparison: Comparison) -> dict:
    """Per KPI the as-is and the scenario estimates side by side, then the agent hours."""
    names = sorted(set(comparison.as_is) | set(comparison.scenario))
    return {
        "kpis": [
            {
                "kpi": name,
                "as_is": _estimate(comparison.as_is.get(name)),
                "scenario": _estimate(comparison.scenario.get(name)),
            }
            for name in names
        ],
        "agent_hours": {"as_is": comparison.agent_hours[0], "scenario": comparison.agent_hours[1]},
    }


def _estimate(estimate) -> dict | None:
    return None if estimate is None else asdict(estimate)
