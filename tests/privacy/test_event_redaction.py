"""The event log stays append-only on PostgreSQL: only the redaction path may change a payload,
and nothing else of a row."""

import pytest
from django.db import DatabaseError, connection, transaction

from apps.privacy.event_redaction import REDACTING, redact_event_payloads
from apps.privacy.scrubbing import ERASED, scrub
from apps.tickets.services import transition
from tests.factories import submit

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def event(customer, customer_actor):
    request = transition(submit(customer), "cancel", actor=customer_actor, reason="my words")
    return request.events.get(transition="cancel")


def refused(sql: str, params: list) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def test_updates_outside_the_redaction_path_are_still_refused(event):
    assert refused("UPDATE quality_event SET payload = '{}' WHERE id = %s", [event.pk])
    assert refused(
        f"{REDACTING}; UPDATE quality_event SET to_state = 'new', payload = '{{}}' WHERE id = %s",
        [event.pk],
    )
    assert refused("DELETE FROM quality_event WHERE id = %s", [event.pk])


def test_the_redaction_path_changes_the_payload_alone(event):
    assert redact_event_payloads([event]) == 1
    assert redact_event_payloads([type(event).objects.get(pk=event.pk)]) == 0

    event.refresh_from_db()
    assert event.payload["reason"] == ERASED
    assert (event.transition, event.to_state) == ("cancel", "cancelled")


def test_scrub_keeps_machine_values():
    payload = {"reason": "words", "priority": 2, "explain": {"rule": 3, "name": "x"}, "s": [{}]}

    assert scrub(payload) == {
        "reason": ERASED,
        "priority": 2,
        "explain": {"rule": 3, "name": ERASED},
        "s": [{}],
    }
