"""Examples of the PDCA cycle API shown in the OpenAPI schema and the interactive docs."""

from drf_spectacular.utils import OpenApiExample

_TTR = {
    "kpi": "resolution_hours",
    "before": 9.6,
    "after": 1.8,
    "difference": -7.8,
    "test": "mann_whitney_u",
    "p_value": 0.0009,
    "verdict": "better",
    "predicted": {"value": 2.5, "low": 1.5, "high": 3.5},
    "vs_prediction": "within",
}
CYCLE = OpenApiExample(
    "A checked cycle",
    value={
        "id": 3,
        "title": "Better paper for the printers",
        "state": "check",
        "problem": 12,
        "owner": "ivan",
        "indicator": "resolution_hours",
        "target_value": 4.0,
        "direction": "at_most",
        "baseline_days": 28,
        "scenario": 7,
        "predicted_value": 2.5,
        "prediction": {"resolution_hours": {"value": 2.5, "low": 1.5, "high": 3.5}},
        "change": "A new paper supplier from 1 November.",
        "changed_on": "2026-11-01",
        "check_due": "2026-11-29",
        "results": {
            "windows": {
                "before": ["2026-10-04T00:00:00+00:00", "2026-11-01T00:00:00+00:00"],
                "after": ["2026-11-01T00:00:00+00:00", "2026-11-29T00:00:00+00:00"],
            },
            "scope": {"categories": [4], "department": 2},
            "alpha": 0.05,
            "kpis": [_TTR],
            "target": {
                "kpi": "resolution_hours",
                "value": 4.0,
                "direction": "at_most",
                "after": 1.8,
                "reached": True,
                "significant": True,
                "vs_prediction": "within",
            },
        },
        "decision": "",
        "decision_note": "",
        "next_cycle": None,
        "planned_by": "ivan",
        "planned_at": "2026-10-20T09:00:00Z",
        "change_recorded_by": "ivan",
        "change_recorded_at": "2026-11-01T10:00:00Z",
        "checked_by": "ivan",
        "checked_at": "2026-11-29T08:00:00Z",
        "decided_by": None,
        "decided_at": None,
        "closed_at": None,
    },
    response_only=True,
)
PLAN = OpenApiExample(
    "Resolution within 4 hours, as scenario 7 predicts",
    value={
        "title": "Better paper for the printers",
        "indicator": "resolution_hours",
        "target_value": 4,
        "problem": 12,
        "scenario": 7,
    },
    request_only=True,
)
CHANGE = OpenApiExample(
    "The change made",
    value={"change": "A new paper supplier from 1 November.", "changed_on": "2026-11-01"},
    request_only=True,
)
DECISION = OpenApiExample(
    "Adjust, with a next cycle",
    value={"decision": "adjust", "note": "Faster, but not on Mondays.", "next_title": "Mondays"},
    request_only=True,
)
