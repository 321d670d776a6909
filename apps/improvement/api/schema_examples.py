"""Examples of the improvement API shown in the OpenAPI schema and the interactive docs."""

from drf_spectacular.utils import OpenApiExample

FORECAST = OpenApiExample(
    "An at-risk request",
    value={
        "reference": "SR-000042",
        "state": "in_progress",
        "department": 1,
        "computed_at": "2026-11-20T09:15:00Z",
        "remaining_seconds": 36000.0,
        "expected_at": "2026-11-20T19:15:00Z",
        "deadline": "2026-11-20T13:00:00Z",
        "risk": 0.92,
        "at_risk": True,
        "warned_at": "2026-11-20T09:15:00Z",
    },
    response_only=True,
)
ETA_MODEL = OpenApiExample(
    "The latest model",
    value={
        "trained_at": "2026-11-20T06:00:00Z",
        "cases": 5120,
        "samples": 30411,
        "evaluation": {
            "cases": {"train": 3584, "test": 1536},
            "target_seconds": 14400.0,
            "breach_rate": 0.41,
            "model": {
                "mae_seconds": 20510.2,
                "next_step_accuracy": 0.81,
                "brier": 0.14,
                "auc": 0.86,
            },
            "baseline": {
                "mae_seconds": 31877.0,
                "next_step_accuracy": 0.31,
                "brier": 0.22,
                "auc": 0.71,
            },
        },
    },
    response_only=True,
)
STAFFING = OpenApiExample(
    "One department, first hours of the week",
    value={
        "generated_at": "2026-11-20T06:00:00Z",
        "weeks": 1,
        "history_weeks": 8,
        "target_minutes": 60,
        "target_share": 0.8,
        "departments": [
            {
                "department": 1,
                "name": "IT support",
                "time_zone": "Europe/Berlin",
                "method": "exponential_smoothing",
                "backtest_mae": {"seasonal_naive": 0.61, "exponential_smoothing": 0.44},
                "handling_seconds": 5400.0,
                "capacity_per_agent": 10.0,
                "arrivals_history": 1873,
                "forecast_weeks": [[0.1, 0.0, "..."]],
                "hours": [
                    {
                        "hour_of_week": 9,
                        "history_mean": 4.2,
                        "forecast": 4.4,
                        "slots_needed": 9,
                        "agents_needed": 1,
                        "agents_scheduled": 3,
                        "gap": 2,
                    }
                ],
                "short_hours": 0,
            }
        ],
    },
    response_only=True,
)
PROBLEM = OpenApiExample(
    "A problem record",
    value={
        "id": 3,
        "reference": "PR-3",
        "title": "Printers on floor 3 jam",
        "description": "",
        "source": "quality_alert",
        "quality_alert": 17,
        "theme": "",
        "department": 1,
        "category": 2,
        "requests": ["SR-000040", "SR-000042"],
        "root_cause": "Paper of the wrong weight",
        "corrective_action": "Order 80 g/m2 paper; label the trays",
        "owner": "ivan",
        "due_date": "2026-12-01",
        "indicator": "resolution_time",
        "state": "implemented",
        "version": 5,
        "created_at": "2026-11-02T10:00:00Z",
        "implemented_at": "2026-11-10T12:00:00Z",
        "closed_at": None,
        "verification": {},
        "allowed_transitions": ["reopen", "verify"],
        "log": [
            {
                "seq": 1,
                "transition": "open",
                "from_state": "",
                "to_state": "open",
                "actor": "ivan",
                "actor_role": "agent",
                "at": "2026-11-02T10:00:00Z",
            }
        ],
    },
    response_only=True,
)
CREATE = OpenApiExample(
    "Open a problem from a quality alert",
    value={"title": "Printers on floor 3 jam", "quality_alert": 17, "requests": [40, 42]},
    request_only=True,
)
UPDATE = OpenApiExample(
    "Write down the root cause",
    value={"root_cause": "Paper of the wrong weight", "version": 2},
    request_only=True,
)
TRANSITION = OpenApiExample(
    "Run a transition", value={"version": 4, "reason": "Paper ordered"}, request_only=True
)
