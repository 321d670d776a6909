"""Examples shown in the OpenAPI schema and the interactive docs."""

from drf_spectacular.utils import OpenApiExample

REQUEST = OpenApiExample(
    "A request",
    response_only=True,
    value={
        "reference": "SR-000042",
        "subject": "VPN drops every hour",
        "description": "Since Monday the VPN disconnects about every hour.",
        "state": "in_progress",
        "state_label": "In progress",
        "priority": 2,
        "priority_label": "P2 high",
        "impact": "medium",
        "urgency": "high",
        "channel": "api",
        "category": {"id": 3, "name": "Network"},
        "department": {"id": 1, "name": "IT support"},
        "assignee": {"id": 7, "name": "Alice Agent"},
        "customer": {"id": 12, "name": "Carol"},
        "escalation_level": 0,
        "reopen_count": 0,
        "attachments": [],
        "created_at": "2026-11-20T09:14:03Z",
        "state_changed_at": "2026-11-20T09:40:11Z",
        "first_response_at": "2026-11-20T09:40:11Z",
        "resolved_at": None,
        "closed_at": None,
        "version": 5,
        "allowed_transitions": ["cancel", "escalate"],
    },
)

CREATE = OpenApiExample(
    "Submit",
    request_only=True,
    value={
        "subject": "VPN drops every hour",
        "description": "Since Monday ...",
        "category": 3,
        "impact": "medium",
        "urgency": "high",
    },
)

MESSAGE = OpenApiExample(
    "A reply", request_only=True, value={"body": "It happened again at 10:05.", "internal": False}
)

TRANSITION = OpenApiExample(
    "Escalate with a reason",
    request_only=True,
    value={"reason": "Blocks the whole team", "version": 5},
)

CONFLICT = OpenApiExample(
    "Not possible now",
    response_only=True,
    status_codes=["409"],
    value={
        "error": {
            "code": "not_allowed",
            "message": "'resolve' is not possible while SR-000042 is queued.",
            "state": "queued",
            "allowed": ["cancel", "escalate"],
        }
    },
)

FEEDBACK = OpenApiExample(
    "Rate", request_only=True, value={"rating": 5, "comment": "Fixed within the hour, thanks."}
)

MESSAGES = OpenApiExample(
    "A thread",
    response_only=True,
    value={
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": 11,
                "author": "Carol",
                "author_role": "customer",
                "visibility": "public",
                "body": "The VPN dropped again at 10:05.",
                "created_at": "2026-11-20T10:06:12Z",
            },
            {
                "id": 12,
                "author": "Alice Agent",
                "author_role": "agent",
                "visibility": "public",
                "body": "Thanks, we are replacing the gateway certificate.",
                "created_at": "2026-11-20T10:20:40Z",
            },
        ],
    },
)

FEEDBACK_GIVEN = OpenApiExample(
    "Feedback given",
    response_only=True,
    value={
        "rating": 5,
        "comment": "Fixed within the hour, thanks.",
        "created_at": "2026-11-20T12:01:00Z",
    },
)
