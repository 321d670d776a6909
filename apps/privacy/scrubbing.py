"""What erased text becomes, and the scrub of free text inside JSON (event and webhook payloads).

Stored words, not translated ones: the marker is data, shown as it is in every language."""

from typing import Any

ERASED = "[erased]"

# Keys whose values are people's words or addresses wherever they appear in a payload:
# transition and handoff reasons, a consult's result, a request's subject, a message's body,
# feedback comments, addresses. Machine values (states, ids, codes, counts) are never under them.
PERSONAL_KEYS = frozenset(
    {
        "reason",
        "result",
        "closing_reason",
        "subject",
        "description",
        "body",
        "comment",
        "title",
        "text",
        "email",
        "from_address",
        "address",
        "name",
        "filename",
        "display_name",
        "username",
    }
)


def scrub(value: Any) -> Any:
    """`value` with every string under a personal key replaced by ERASED (an empty one stays
    empty), at any depth; everything else as it was."""
    if isinstance(value, dict):
        return {key: _scrub_item(key, item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item) for item in value]
    return value


def _scrub_item(key: str, item: Any) -> Any:
    if key in PERSONAL_KEYS and isinstance(item, str):
        return ERASED if item else item
    return scrub(item)
