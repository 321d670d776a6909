"""The notifications API: each person's own notifications, unread first; marking them read."""

import pytest
from django.utils import timezone

from apps.notifications.kinds import NotificationKind
from apps.notifications.models import Notification
from apps.notifications.services import do_notify
from tests.factories import AgentFactory, UserFactory, submit
from tests.support.api import client_for

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"


def _notify(user, title: str, *, kind: str = "escalation", request=None) -> Notification:
    [notification] = do_notify(recipients=[user], kind=kind, title=title, body="", request=request)
    return notification


@pytest.fixture
def alice(department):
    return AgentFactory(user__username="alice-n", departments=[department]).user


def test_the_list_is_unread_first_then_newest(alice):
    old_unread = _notify(alice, "old unread")
    read = _notify(alice, "read")
    new_unread = _notify(alice, "new unread")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())

    body = client_for(alice).get(LIST).json()

    assert [n["title"] for n in body["results"]] == ["new unread", "old unread", "read"]
    assert [n["read"] for n in body["results"]] == [False, False, True]
    assert body["count"] == 3
    assert {new_unread.pk, old_unread.pk} == {n["id"] for n in body["results"][:2]}


def test_the_list_names_the_request_and_can_hold_only_the_unread(alice, customer):
    request = submit(customer)
    _notify(alice, "about a request", request=request, kind=NotificationKind.BREACH_RISK)
    done = _notify(alice, "done")
    Notification.objects.filter(pk=done.pk).update(read_at=timezone.now())

    body = client_for(alice).get(LIST, {"unread": "true"}).json()

    assert [(n["title"], n["request"], n["kind"]) for n in body["results"]] == [
        ("about a request", request.reference, "breach_risk")
    ]


def test_nobody_sees_anothers_notifications(alice, customer):
    _notify(alice, "for alice only")

    body = client_for(customer.user).get(LIST).json()

    assert body["results"] == []


def test_marking_one_read_marks_only_that_one(alice):
    first, second = _notify(alice, "first"), _notify(alice, "second")

    response = client_for(alice).post(f"{LIST}{first.pk}/read/")

    assert response.status_code == 200
    assert response.json()["read"] is True
    assert Notification.objects.get(pk=first.pk).read_at is not None
    assert Notification.objects.get(pk=second.pk).read_at is None


def test_marking_read_again_keeps_the_first_time(alice):
    notification = _notify(alice, "once")
    client = client_for(alice)
    client.post(f"{LIST}{notification.pk}/read/")
    first_time = Notification.objects.get(pk=notification.pk).read_at

    client.post(f"{LIST}{notification.pk}/read/")

    assert Notification.objects.get(pk=notification.pk).read_at == first_time


def test_anothers_notification_is_not_found_and_stays_unread(alice, customer):
    notification = _notify(alice, "for alice only")

    response = client_for(customer.user).post(f"{LIST}{notification.pk}/read/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_marking_all_read_counts_what_changed_and_leaves_others_alone(alice, customer):
    _notify(alice, "one")
    _notify(alice, "two")
    theirs = _notify(customer.user, "the customer's")

    response = client_for(alice).post(f"{LIST}read-all/")

    assert response.json() == {"marked": 2}
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client_for(alice).post(f"{LIST}read-all/").json() == {"marked": 0}


def test_the_schema_documents_the_endpoints_and_every_kind(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    paths = ("", "read-all/", "{id}/read/", "preferences/")
    for path in (f"notifications/{p}" for p in paths):
        assert f"/api/v1/{path}" in schema["paths"]
    kinds = schema["components"]["schemas"]["NotificationKindEnum"]["enum"]
    assert set(kinds) == set(NotificationKind.values)


ENDPOINTS = [
    ("get", ""),
    ("post", "read-all/"),
    ("post", "{pk}/read/"),
    ("get", "preferences/"),
    ("patch", "preferences/"),
]


@pytest.mark.parametrize(("method", "tail"), ENDPOINTS)
def test_anonymous_and_inactive_users_get_401_and_change_nothing(alice, anon_client, method, tail):
    notification = _notify(alice, "private")
    inactive = AgentFactory(user__username="left-n", user__is_active=False).user
    path = LIST + tail.format(pk=notification.pk)

    for client in (anon_client, client_for(inactive)):
        response = getattr(client, method)(path)
        assert response.status_code == 401, response.content
        assert "private" not in response.content.decode()
    assert Notification.objects.get(pk=notification.pk).read_at is None


@pytest.mark.parametrize("staff", [False, True])
def test_a_user_without_a_role_reads_only_their_own(alice, staff):
    """Notifications are a person's, not a role's: a staff member without an agent profile
    (quality alerts reach supervisors) reads theirs, and never anyone else's."""
    outsider = UserFactory(username="walker-n", is_staff=staff)
    _notify(outsider, "yours")
    theirs = _notify(alice, "alice's")
    client = client_for(outsider)

    assert [n["title"] for n in client.get(LIST).json()["results"]] == ["yours"]
    assert client.post(f"{LIST}{theirs.pk}/read/").status_code == 404
    assert client.post(f"{LIST}read-all/").json() == {"marked": 1}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_list_reads_a_fixed_number_of_queries(alice, customer, django_assert_max_num_queries):
    for n in range(6):
        _notify(alice, f"about request {n}", request=submit(customer))
    client = client_for(alice)

    with django_assert_max_num_queries(4):  # token and user, count, the page with its requests
        body = client.get(LIST).json()

    assert len(body["results"]) == 6


PREFERENCES = LIST + "preferences/"


def test_preferences_list_the_kinds_a_person_receives_with_their_defaults(alice, customer):
    agent_kinds = {p["kind"]: p for p in client_for(alice).get(PREFERENCES).json()}
    customer_kinds = {p["kind"] for p in client_for(customer.user).get(PREFERENCES).json()}

    assert {"assigned", "customer_replied", "escalation"} <= set(agent_kinds)
    assert "agent_reply" not in agent_kinds
    assert agent_kinds["breach_risk"] == {
        "kind": "breach_risk",
        "name": "Request at risk of breaching its SLA",
        "email": False,
        "default": False,
    }
    assert {"agent_reply", "request_resolved", "bot_answer"} <= customer_kinds
    assert "assigned" not in customer_kinds


def test_a_choice_is_kept_and_decides_the_email(customer):
    client = client_for(customer.user)

    response = client.patch(PREFERENCES, {"email": {"agent_reply": False}}, format="json")

    assert response.status_code == 200
    assert {p["kind"]: p["email"] for p in response.json()}["agent_reply"] is False
    [told] = do_notify(recipients=[customer.user], kind="agent_reply", title="t", body="")
    assert told.email_wanted is False


@pytest.mark.parametrize(
    "body",
    # An empty PATCH (`{}`) changes nothing, a 200 (tests/api/test_schema_states_input_rules.py).
    [{"email": {"assigned": True}}, {"email": {"nonsense": True}}, {"email": []}],
)
def test_bad_choices_are_refused_and_nothing_changes(customer, body):
    client = client_for(customer.user)

    response = client.patch(PREFERENCES, body, format="json")

    assert response.status_code == 400, response.content
    assert not customer.user.notification_preferences.exists()
