"""A body field an endpoint does not know is refused (400 naming it) and nothing is written,
on every serializer that parses a body (apps/api/strict_input.py)."""

import pytest

from apps.api.auth import SignInSerializer
from apps.api.availability import AvailabilitySerializer
from apps.api.strict_input import RefusesUnknownFields
from apps.handoffs.api.serializers import HandoffCreateSerializer, HandoffTransitionSerializer
from apps.improvement.api.serializers import (
    ProblemCreateSerializer,
    ProblemTransitionSerializer,
    ProblemUpdateSerializer,
)
from apps.macros.api import ApplySerializer
from apps.notifications.preferences_api import PreferenceUpdateSerializer
from apps.notifications.webhooks_api import SubscriptionSerializer
from apps.tickets.api import inputs as tickets
from apps.tickets.models import ServiceRequest
from tests.factories import submit
from tests.support.api import client_for

BODY_SERIALIZERS = [
    SignInSerializer,
    AvailabilitySerializer,
    HandoffCreateSerializer,
    HandoffTransitionSerializer,
    ProblemCreateSerializer,
    ProblemUpdateSerializer,
    ProblemTransitionSerializer,
    ApplySerializer,
    PreferenceUpdateSerializer,
    SubscriptionSerializer,
    tickets.RequestCreateSerializer,
    tickets.RequestUploadSerializer,
    tickets.MessageCreateSerializer,
    tickets.MessageUploadSerializer,
    tickets.TransitionSerializer,
    tickets.MergeSerializer,
    tickets.LinkSerializer,
    tickets.FeedbackSerializer,
]


@pytest.mark.parametrize("serializer", BODY_SERIALIZERS, ids=lambda s: s.__name__)
def test_every_body_serializer_refuses_an_unknown_field(serializer):
    assert issubclass(serializer, RefusesUnknownFields)
    given = serializer(data={"zz_unknown": 1})
    assert not given.is_valid()
    assert "zz_unknown" in given.errors


def test_a_field_the_serializer_knows_but_only_renders_is_not_unknown():
    given = tickets.FeedbackSerializer(data={"rating": 4, "created_at": "2026-01-01T00:00:00Z"})
    assert given.is_valid(), given.errors


@pytest.mark.django_db
def test_a_create_with_a_misspelt_field_is_refused_and_writes_nothing(customer):
    response = client_for(customer.user).post(
        "/api/v1/requests/", {"subject": "Printer", "priorty": "p1"}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "priorty" in error["fields"]
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_a_message_with_a_field_it_may_not_set_is_refused(customer):
    request = submit(customer)
    client = client_for(customer.user)
    path = f"/api/v1/requests/{request.reference}/messages/"
    response = client.post(path, {"body": "hello", "visibility": "internal"}, format="json")
    assert response.status_code == 400
    assert "visibility" in response.json()["error"]["fields"]
    assert not request.messages.exists()


@pytest.mark.django_db
def test_a_browser_forms_csrf_field_is_not_unknown(customer):
    response = client_for(customer.user).post(
        "/api/v1/requests/", {"subject": "Printer", "csrfmiddlewaretoken": "x"}
    )
    assert response.status_code == 201, response.content
