"""Examples of the handoff API shown in the OpenAPI schema and the interactive docs."""

from drf_spectacular.utils import OpenApiExample

HANDOFF_VALUE = {
    "id": 12,
    "reference": "H-12",
    "request": {
        "reference": "SR-000042",
        "subject": "Complaint about a refund",
        "state": "in_progress",
        "priority": 3,
        "department": {"id": 1, "name": "IT support"},
    },
    "kind": "consult",
    "state": "accepted",
    "from_department": {"id": 1, "name": "IT support"},
    "to_department": {"id": 5, "name": "Legal"},
    "reason": "Is this complaint a liability?",
    "requested_by": "Alice Agent",
    "requested_at": "2026-11-20T09:14:03Z",
    "expires_at": "2026-11-20T17:14:03Z",
    "accepted_by": "Lena Legal",
    "accepted_at": "2026-11-20T09:40:11Z",
    "result": "",
    "closing_reason": "",
    "closed_by": None,
    "closed_at": None,
    "bounced": False,
    "version": 2,
    "ola": [
        {
            "target": "acceptance",
            "target_seconds": 3600,
            "started_at": "2026-11-20T09:14:03Z",
            "deadline": "2026-11-20T10:14:03Z",
            "stopped_at": "2026-11-20T09:40:11Z",
            "warning": False,
            "breached": False,
            "met": True,
        }
    ],
    "allowed_transitions": ["cancel", "complete"],
}

HANDOFF = OpenApiExample("A handoff", response_only=True, value=HANDOFF_VALUE)
HANDOFFS = OpenApiExample("Handoffs", response_only=True, value=[HANDOFF_VALUE])

CREATE = OpenApiExample(
    "Ask Legal",
    request_only=True,
    value={"kind": "consult", "to_department": 5, "reason": "Is this complaint a liability?"},
)

TRANSITION = OpenApiExample(
    "Complete a consult",
    request_only=True,
    value={"version": 2, "result": "No liability; offer a voucher."},
)
