"""The event log is append-only in the ORM, and on PostgreSQL in the database itself."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from apps.eventlog.models import AppendOnlyError, Event
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


# --- nor through the admin or the API ---------------------------------------------------------


@pytest.fixture
def superuser_client(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_shows_events_but_never_changes_or_deletes_them(
    request_with_log, superuser_client
):
    event = Event.objects.filter(request=request_with_log).first()
    before = list(Event.objects.values_list("pk", "seq", "to_state", "payload"))
    base = f"/admin/eventlog/event/{event.pk}"
    assert superuser_client.get(f"{base}/change/").status_code == 200
    changed = superuser_client.post(f"{base}/change/", {"to_state": "closed", "seq": 99})
    assert changed.status_code == 403
    assert superuser_client.get(f"{base}/delete/").status_code == 403
    assert superuser_client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    assert superuser_client.get("/admin/eventlog/event/add/").status_code == 403
    bulk = superuser_client.post(
        "/admin/eventlog/event/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert list(Event.objects.values_list("pk", "seq", "to_state", "payload")) == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_api_has_no_way_to_change_or_delete_history(request_with_log, method):
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    client = APIClient()
    client.force_authenticate(UserFactory(username="root", is_staff=True, is_superuser=True))
    before = list(Event.objects.values_list("pk", "seq", "to_state", "payload"))
    ref = request_with_log.reference
    for path in (f"/api/v1/requests/{ref}/", f"/api/v1/requests/{ref}/messages/"):
        response = getattr(client, method)(path, {"state": "closed"}, format="json")
        assert response.status_code == 405, (path, response.content)
    assert list(Event.objects.values_list("pk", "seq", "to_state", "payload")) == before
