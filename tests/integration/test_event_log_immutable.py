"""The event log is append-only in the ORM, and on PostgreSQL in the database itself."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from apps.quality.models import AppendOnlyError, Event
from tests.paths import Desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_with_log(customer):
    return Desk(customer).request_in("queued")


def test_orm_refuses_update_and_delete(request_with_log):
    event = Event.objects.filter(request=request_with_log).first()
    event.payload = {"forged": True}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(request=request_with_log).update(to_state="closed")
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(request=request_with_log).delete()
    assert "forged" not in Event.objects.get(pk=event.pk).payload


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE quality_event SET to_state = 'closed' WHERE request_id = %s",
        "DELETE FROM quality_event WHERE request_id = %s",
    ],
)
def test_postgres_trigger_refuses_raw_sql(request_with_log, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [request_with_log.pk])
    assert Event.objects.filter(request=request_with_log).count() == 2


def test_check_event_log_passes_on_a_clean_log(request_with_log, capsys):
    call_command("check_event_log")
    assert "consistent for 1 request(s)" in capsys.readouterr().out


def test_check_event_log_names_each_violation(request_with_log, capsys):
    last = Event.objects.filter(request=request_with_log).order_by("seq").last()
    # An event appended behind the door's back: wrong sequence, wrong state, earlier time.
    Event.objects.create(
        request=request_with_log,
        seq=last.seq + 2,
        kind="transition",
        transition="resolve",
        from_state="in_progress",
        to_state="resolved",
        actor_role="system",
        at=last.at.replace(year=2000),
    )
    with pytest.raises(CommandError, match="violation"):
        call_command("check_event_log")
    err = capsys.readouterr().err
    ref = f"request {request_with_log.pk}"
    assert f"{ref} event #4: sequence jumps from 2 to 4" in err
    assert f"{ref} event #4: time goes backwards" in err
    assert f"{ref} event #4: starts from 'in_progress' but the log was in 'queued'" in err
    assert f"{ref} log: replays to 'resolved' but the request is 'queued'" in err
