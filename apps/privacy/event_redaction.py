"""The one path that may change an event-log row: replacing the free text in its payload.

The log is append-only (the model refuses updates; on PostgreSQL a trigger refuses them too).
Erasure must still remove a person's words from payloads (a rejection's reason, a handoff's
reason), so migration privacy/0002 lets the trigger pass an UPDATE that changes nothing but
`payload`, inside a transaction that set `servicedesk.redacting`. Only this module sets it. The
columns replay reads (sequence, kind, states, time) can never change this way."""

import json
from collections.abc import Iterable

from django.db import connection, transaction

from apps.eventlog.models import Event
from apps.privacy.scrubbing import scrub

REDACTING = "SELECT set_config('servicedesk.redacting', 'on', true)"
UPDATE = "UPDATE quality_event SET payload = %s WHERE id = %s"


def redact_event_payloads(events: Iterable[Event]) -> int:
    """Scrub the personal text out of these events' payloads (scrubbing.scrub); how many rows
    changed. Runs inside the caller's transaction (or its own)."""
    changed = [
        (json.dumps(cleaned), event.pk)
        for event in events
        if (cleaned := scrub(event.payload)) != event.payload
    ]
    if not changed:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(REDACTING)
        cursor.executemany(UPDATE, changed)
    return len(changed)
