"""The event log and feedback moved apps without rebuilding their tables: a database made by
the code before the move (quality owning both) migrates and its log still replays."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.eventlog.models import Event
from apps.tickets.models import Feedback, ServiceRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# The graph's leaves for these apps just before the move (main at c953f2a).
BEFORE = [
    ("quality", "0008_drop_redundant_fk_indexes"),
    ("tickets", "0004_drop_redundant_fk_indexes"),
    ("eventlog", None),
]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _old_database(apps) -> tuple[int, int]:
    """A request with a submit, a route and a resolve in the log and the customer's feedback,
    written with the models as they were (the state the old migrations leave)."""
    User = apps.get_model("auth", "User")
    Customer = apps.get_model("accounts", "Customer")
    Department = apps.get_model("accounts", "Department")
    Request = apps.get_model("tickets", "ServiceRequest")
    OldEvent = apps.get_model("quality", "Event")
    OldFeedback = apps.get_model("quality", "Feedback")
    now = timezone.now()
    customer = Customer.objects.create(user=User.objects.create(username="old-carol"))
    department = Department.objects.create(name="Old IT", code="oldit")
    request = Request.objects.create(
        customer=customer,
        subject="Printer jams",
        department=department,
        state="resolved",
        last_event_seq=3,
        last_event_at=now,
        created_at=now,
        state_changed_at=now,
    )
    steps = [("submit", "", "new"), ("route", "new", "queued"), ("resolve", "queued", "resolved")]
    for seq, (name, from_state, to_state) in enumerate(steps, start=1):
        OldEvent.objects.create(
            request=request,
            seq=seq,
            kind="transition",
            transition=name,
            from_state=from_state,
            to_state=to_state,
            actor_role="system",
            at=now,
        )
    OldFeedback.objects.create(request=request, rating=4, comment="Quick", created_at=now)
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.get_or_create(app_label="quality", model="event")
    return request.pk, ContentType.objects.get(app_label="quality", model="event").pk


def test_a_database_from_before_the_move_migrates_and_its_log_replays():
    latest = _latest()
    _migrate(BEFORE)
    try:
        old_apps = MigrationExecutor(connection).loader.project_state(BEFORE[:2]).apps
        request_pk, content_type_pk = _old_database(old_apps)
    finally:
        _migrate(latest)

    request = ServiceRequest.objects.get(pk=request_pk)
    assert [e.transition for e in Event.objects.filter(request=request)] == [
        "submit",
        "route",
        "resolve",
    ]
    assert Feedback.objects.get(request=request).rating == 4
    out = io.StringIO()
    call_command("check_event_log", request=[request_pk], stdout=out)
    assert "consistent for 1 request" in out.getvalue()
    # The content type (and so every permission on it) followed the model.
    from django.contrib.contenttypes.models import ContentType

    moved = ContentType.objects.get(pk=content_type_pk)
    assert (moved.app_label, moved.model) == ("eventlog", "event")
    assert ContentType.objects.get_for_model(Event).pk == content_type_pk
