"""POST me/availability/: an agent sets their own availability through the door."""

import pytest

from apps.accounts.models import Agent, Availability
from apps.accounts.signals import agent_availability_changed
from tests.factories import UserFactory
from tests.support.api import client_for
from workflows import receivers

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/availability/"


@pytest.fixture
def heard(monkeypatch):
    """What `agent_availability_changed` announces; the worker's receiver records instead of
    sending to the broker (the worker tests cover that)."""
    announced = []

    def listener(sender, **kwargs):
        announced.append((kwargs["agent_id"], kwargs["availability"], kwargs["previous"]))

    monkeypatch.setattr(receivers, "enqueue", lambda name, **kwargs: True)
    agent_availability_changed.connect(listener)
    yield announced
    agent_availability_changed.disconnect(listener)


def test_an_agent_sets_their_own_availability(agent, heard, django_capture_on_commit_callbacks):
    client = client_for(agent.user)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(URL, {"availability": "away"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json() == {"availability": "away"}
    assert Agent.objects.get(pk=agent.pk).availability == Availability.AWAY
    assert heard == []  # announced only after commit
    [announce] = callbacks
    announce()
    assert heard == [(agent.pk, "away", "online")]


def test_the_same_availability_again_announces_nothing(
    agent, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(agent.user).post(URL, {"availability": "online"}, format="json")

    assert (response.status_code, response.json()) == (200, {"availability": "online"})
    assert (callbacks, heard) == ([], [])


def test_customers_have_no_availability(customer_client, customer):
    response = customer_client.post(URL, {"availability": "online"}, format="json")
    bad = customer_client.post(URL, {"availability": "asleep"}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "forbidden",
            "message": "Only agents have an availability.",
            "request_id": response["X-Request-ID"],
        }
    }
    assert bad.status_code == 403  # refused before the body is read


def test_a_user_who_is_neither_agent_nor_customer_is_refused():
    response = client_for(UserFactory()).post(URL, {"availability": "online"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("body", [{"availability": "asleep"}, {"availability": None}, {}])
def test_a_bad_value_is_a_400_in_the_one_error_shape(agent, body):
    response = client_for(agent.user).post(URL, body, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("invalid", "Invalid input: availability.")
    assert list(error["fields"]) == ["availability"]
    assert Agent.objects.get(pk=agent.pk).availability == Availability.ONLINE


def test_anonymous_callers_sign_in_first(anon_client):
    response = anon_client.post(URL, {"availability": "online"}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_superuser_without_an_agent_profile_has_no_availability():
    # Admitted by IsAgent (a supervisor acts as an agent), refused for having no profile.
    supervisor = UserFactory(is_superuser=True)
    response = client_for(supervisor).post(URL, {"availability": "online"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only agents have an availability."
