"""Response examples for the analytics endpoints' schema."""

from drf_spectacular.utils import OpenApiExample

_STATS = {"count": 41, "mean": 15480.2, "median": 9120.0, "p90": 40210.5}
_PERIOD = {"start": "2026-02-01T00:00:00Z", "end": "2026-03-01T00:00:00Z"}

METRICS = OpenApiExample(
    "Metrics by department",
    response_only=True,
    value={
        **_PERIOD,
        "group_by": "department",
        "results": [
            {
                "group": 1,
                "label": "IT support",
                "volume": {
                    "created": 52,
                    "resolved": 47,
                    "cancelled": 2,
                    "merged": 1,
                    "out": 49,
                    "reopened": 3,
                    "backlog": 9,
                },
                "first_response": {"wall": _STATS, "business": _STATS},
                "resolution": {"wall": _STATS, "business": _STATS},
                "sla": {
                    "first_response": {"total": 48, "met": 45, "breached": 3, "compliance": 0.9375},
                    "resolution": {"total": 47, "met": 41, "breached": 6, "compliance": 0.8723},
                },
                "rates": {
                    "reopen": {"rate": 0.0638, "count": 3, "of": 47},
                    "first_contact_resolution": {"rate": 0.82, "count": 41, "of": 50},
                    "escalation": {"rate": 0.0577, "count": 3, "of": 52},
                    "handoff": {"rate": 0.0769, "count": 4, "of": 52},
                    "bounce": {"rate": 0.0192, "count": 1, "of": 52},
                    "deflection": {"rate": 0.0962, "count": 5, "of": 52},
                },
                "time_in_state": {"queued": {"wall": _STATS, "business": _STATS}},
                "csat": {
                    "count": 18,
                    "average": 4.222,
                    "distribution": {"1": 0, "2": 1, "3": 2, "4": 7, "5": 8},
                },
            }
        ],
    },
)

SERIES = OpenApiExample(
    "Daily series",
    response_only=True,
    value={
        **_PERIOD,
        "results": [
            {
                "day": "2026-02-01",
                "created": 12,
                "out": 10,
                "backlog": 31,
                "resolution": {"wall": _STATS, "business": _STATS},
                "sla": {"resolution": {"total": 9, "met": 8, "breached": 1, "compliance": 0.8889}},
                "csat": {"count": 3, "average": 4.333},
            }
        ],
    },
)

PROCESS_MAP = OpenApiExample(
    "States",
    response_only=True,
    value={
        "view": "states",
        "cases": 120,
        "nodes": [
            {"id": "start", "frequency": 120},
            {"id": "queued", "frequency": 104, "wait": _STATS, "business_wait": _STATS},
        ],
        "edges": [
            {
                "source": "new",
                "target": "queued",
                "frequency": 104,
                "cases": 101,
                "wait": _STATS,
                "business_wait": _STATS,
            }
        ],
    },
)

VARIANTS = OpenApiExample(
    "Variants",
    response_only=True,
    value={
        "cases": 120,
        "variant_count": 17,
        "variants": [
            {
                "activities": ["submit", "route", "assign", "start", "resolve", "close"],
                "cases": 61,
                "share": 0.5083,
                "mean_seconds": 98210.4,
            }
        ],
    },
)

BOTTLENECK = OpenApiExample(
    "Bottleneck",
    response_only=True,
    value={
        "bottleneck": {
            "state": "queued",
            **_STATS,
            "business_median": 5400.0,
            "ranking": [{"state": "queued", **_STATS, "business_median": 5400.0}],
        }
    },
)

EXPORT = OpenApiExample(
    "CSV",
    response_only=True,
    media_type="text/csv",
    value=(
        "case_id,activity,timestamp,resource,department,lifecycle,seq,kind,from_state,to_state\n"
        "SR-000001,submit,2026-02-01T09:12:03.000+00:00,carol,,complete,1,transition,,new\n"
    ),
)

IMPORTS = OpenApiExample(
    "Imported logs",
    response_only=True,
    value={
        "results": [
            {
                "id": 1,
                "name": "old desk 2025",
                "source": "export.csv",
                "event_count": 48211,
                "case_count": 6120,
                "created_at": "2026-03-01T10:00:00Z",
                "options": {"case": "case", "activity": "activity", "timestamp": "timestamp"},
            }
        ]
    },
)
