"""Example responses of the quality API, for the schema."""

from drf_spectacular.utils import OpenApiExample

_POINT = {"day": "2026-03-20", "value": 6.0, "ucl": 3.1, "lcl": 0.0, "n": None}
_SIGNAL = {
    "rule": "outside_limits",
    "index": 10,
    "day": "2026-03-20",
    "direction": "up",
    "detail": "limit 3.1",
}
CONTROL_CHARTS = OpenApiExample(
    "Charts",
    response_only=True,
    value={
        "department": 3,
        "baseline_first": "2026-02-10",
        "window_first": "2026-03-10",
        "last": "2026-04-06",
        "charts": {
            "resolution_time": {
                "kind": "xmr",
                "centre": 2.0,
                "baseline": ["2026-02-10", "2026-03-09"],
                "points": [_POINT],
                "signals": [_SIGNAL],
                "mr_bar": 0.41,
                "provisional": False,
            },
            "sla_compliance": {
                "kind": "p",
                "centre": 0.93,
                "baseline": ["2026-02-10", "2026-03-09"],
                "points": [{"day": "2026-03-20", "value": 0.5, "ucl": 1.0, "lcl": 0.6, "n": 12}],
                "signals": [],
                "mr_bar": None,
                "provisional": False,
            },
        },
    },
)
ALERT_VALUE = {
    "id": 7,
    "department": 3,
    "chart": "resolution_time",
    "rule": "outside_limits",
    "day": "2026-03-20",
    "worse": True,
    "value": 6.0,
    "centre": 2.0,
    "lower_limit": 0.0,
    "upper_limit": 3.1,
    "detail": "limit 3.1",
    "created_at": "2026-03-21T01:00:00+00:00",
    "acknowledged_at": None,
}
ALERT = OpenApiExample("Alert", response_only=True, value=ALERT_VALUE)
ALERTS = OpenApiExample("Alerts", response_only=True, value={"results": [ALERT_VALUE]})
FEEDBACK = OpenApiExample(
    "Feedback",
    response_only=True,
    value={
        "start": "2026-03-01",
        "end": "2026-03-30",
        "count": 42,
        "average": 4.1,
        "distribution": {"1": 2, "2": 3, "3": 5, "4": 12, "5": 20},
        "comments": 30,
        "sentiment": {"mean": 0.31, "positive": 18, "neutral": 5, "negative": 7},
        "themes": [
            {
                "terms": ["slow", "response", "waited"],
                "count": 6,
                "share": 0.2,
                "examples": ["Slow response, waited three days"],
                "comment_ids": [3, 9, 12, 15, 21, 28],
                "mean_rating": 2.3,
                "mean_sentiment": -0.41,
            }
        ],
        "trend": [{"week": "2026-03-23", "count": 11, "average": 3.9}],
    },
)
SCORECARD = OpenApiExample(
    "Scorecard",
    response_only=True,
    value={
        "period": "month",
        "current": [
            {
                "department": 3,
                "name": "IT support",
                "score": 87.5,
                "indicators": [
                    {
                        "metric": "sla_compliance",
                        "target": 0.95,
                        "weight": 3.0,
                        "actual": 0.9,
                        "achievement": 0.9474,
                    }
                ],
            }
        ],
        "trend": [{"start": "2026-03-01", "end": "2026-04-01", "scores": {"3": 87.5}}],
    },
)
