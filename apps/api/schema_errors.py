"""The API's error responses in the OpenAPI schema: every operation documents the one error shape
(apps/api/errors.py) for the statuses any endpoint may answer with."""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
            },
            "additionalProperties": True,
        }
    },
}
ERRORS = {
    "400": "Invalid input (`fields` names each bad field) or a malformed body.",
    "401": "Not signed in, or a bad token.",
    "403": "Signed in, but not allowed.",
    "404": "No such object, or not one the caller may see.",
    "409": "A transition not allowed now (with the state and the allowed ones), or a conflict.",
    "413": "The body is larger than the API accepts (1 MiB of JSON; uploads: the attachment "
    "limits).",
    "415": "The body is not JSON (or, where files are accepted, multipart/form-data).",
    "422": "An Idempotency-Key reused with another body.",
    "429": "Too many calls; `retry_after` says when to try again.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the Error component, and a response for each status
    in ERRORS on every operation that does not document it already."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
