"""Examples of the simulation API shown in the OpenAPI schema and the interactive docs."""

from drf_spectacular.utils import OpenApiExample

_ESTIMATE = {"mean": 4.1, "low": 3.4, "high": 4.9, "replications": 10}
SCENARIO = OpenApiExample(
    "A scenario that has run",
    value={
        "id": 7,
        "name": "Two more agents in Finance",
        "description": "",
        "changes": {"agents": {"3": 5}},
        "fit_days": 60,
        "test_days": 40,
        "days": 30,
        "replications": 10,
        "seed": 1,
        "status": "done",
        "created_by": "ivan",
        "created_at": "2026-12-04T09:00:00Z",
        "finished_at": "2026-12-04T09:03:10Z",
        "validation": {
            "valid": True,
            "fit": ["2026-08-06T09:00:00+00:00", "2026-11-04T09:00:00+00:00"],
            "test": ["2026-11-04T09:00:00+00:00", "2026-12-04T09:00:00+00:00"],
            "requests": 4210,
            "too_thin": [],
            "decided_by_other": [],
            "checks": [
                {
                    "kpi": "ttr_median_h",
                    "observed": 4.07,
                    "simulated": _ESTIMATE,
                    "error": 0.014,
                    "tolerance": 0.15,
                    "relative": True,
                    "passed": True,
                    "observed_interval": [3.9, 4.3],
                }
            ],
        },
        "results": {
            "kpis": [
                {
                    "kpi": "ttr_median_h",
                    "as_is": _ESTIMATE,
                    "scenario": {"mean": 3.2, "low": 2.9, "high": 3.5, "replications": 10},
                }
            ],
            "agent_hours": {"as_is": 1440.0, "scenario": 1680.0},
        },
        "error": "",
    },
    response_only=True,
)
CREATE = OpenApiExample(
    "Two more agents in department 3",
    value={"name": "Two more agents in Finance", "changes": {"agents": {"3": 5}}},
    request_only=True,
)
