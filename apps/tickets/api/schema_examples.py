"""Examples shown in the OpenAPI schema and the interactive docs."""

from drf_spectacular.utils import OpenApiExample

ATTACHMENT = {
    "id": 31,
    "name": "vpn-log.txt",
    "size": 18234,
    "content_type": "text/plain",
    "sha256": "9f2c0a4e5b7d1c3e8f6a2b4d0c9e7f1a3b5d7c9e2f4a6b8d0c1e3f5a7b9d2c4e",
    "message": None,
    "internal": False,
    "uploaded_by": "Carol",
    "uploader_role": "customer",
    "created_at": "2026-11-20T09:14:03Z",
    "download": "/api/v1/requests/SR-000042/attachments/31/",
}

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
        "attachments": [ATTACHMENT],
        "declared_attachments": [],
        "created_at": "2026-11-20T09:14:03Z",
        "state_changed_at": "2026-11-20T09:40:11Z",
        "first_response_at": "2026-11-20T09:40:11Z",
        "resolved_at": None,
        "closed_at": None,
        "merged_into": None,
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
                "attachments": [
                    {
                        **ATTACHMENT,
                        "id": 32,
                        "name": "screenshot.png",
                        "content_type": "image/png",
                        "message": 11,
                        "download": "/api/v1/requests/SR-000042/attachments/32/",
                    }
                ],
                "merged_from": None,
                "created_at": "2026-11-20T10:06:12Z",
            },
            {
                "id": 12,
                "author": "Alice Agent",
                "author_role": "agent",
                "visibility": "public",
                "body": "Thanks, we are replacing the gateway certificate.",
                "attachments": [],
                "merged_from": None,
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

ATTACHMENTS = OpenApiExample(
    "A request's files",
    response_only=True,
    value={"count": 1, "next": None, "previous": None, "results": [ATTACHMENT]},
)

FILE_REFUSED = OpenApiExample(
    "A file refused",
    response_only=True,
    status_codes=["400"],
    value={
        "error": {
            "code": "invalid",
            "message": "1 file was refused, so nothing was attached: invoice.pdf: the name ends "
            "in .pdf but the content is image/png.",
            "fields": {
                "files": ["invoice.pdf: the name ends in .pdf but the content is image/png"]
            },
            "refused": [
                {
                    "name": "invoice.pdf",
                    "reason": "the name ends in .pdf but the content is image/png",
                }
            ],
        }
    },
)

NOT_FOUND = OpenApiExample(
    "No such file (or not yours to see)",
    response_only=True,
    status_codes=["404"],
    value={"error": {"code": "not_found", "message": "Not found."}},
)

CATEGORY = OpenApiExample(
    "A category",
    response_only=True,
    value={"id": 1, "name": "Network"},
)

MERGE = OpenApiExample(
    "Merge a duplicate",
    request_only=True,
    value={"into": "SR-000042", "reason": "Same VPN problem", "version": 3},
)

MERGED = OpenApiExample(
    "The duplicate, merged",
    response_only=True,
    value={
        **REQUEST.value,
        "reference": "SR-000057",
        "subject": "VPN keeps disconnecting",
        "state": "closed",
        "state_label": "Closed",
        "attachments": [],
        "closed_at": "2026-11-20T11:02:40Z",
        "merged_into": "SR-000042",
        "version": 4,
        "allowed_transitions": [],
    },
)

LINK = OpenApiExample("Link a related request", request_only=True, value={"to": "SR-000061"})

LINKS = OpenApiExample(
    "Related requests",
    response_only=True,
    value=[
        {
            "reference": "SR-000057",
            "subject": "VPN keeps disconnecting",
            "state": "closed",
            "relation": "merged_here",
        },
        {
            "reference": "SR-000061",
            "subject": "Gateway certificate renewal",
            "state": "in_progress",
            "relation": "related",
        },
    ],
)

UNLINKED = OpenApiExample(
    "Not linked",
    value={
        "error": {
            "code": "not_allowed",
            "message": "SR-000042 and SR-000061 are not linked.",
            "state": "in_progress",
            "allowed": [],
        }
    },
)
