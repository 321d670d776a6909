"""Every authenticated POST of the API honours `Idempotency-Key`: a retry with the same key
and body replays the first answer and does nothing twice (apps/api/idempotency.py)."""

import pytest
import yaml
from django.core.management import call_command

from apps.eventlog.models import Event
from apps.lifecycle.states import State
from apps.tickets.models import Message
from tests.factories import submit
from tests.support.api import client_for

pytestmark = pytest.mark.django_db


def test_a_retried_message_is_posted_once(customer):
    request = submit(customer)
    client = client_for(customer.user)
    path = f"/api/v1/requests/{request.reference}/messages/"
    headers = {"HTTP_IDEMPOTENCY_KEY": "msg-1"}
    first = client.post(path, {"body": "Still broken"}, format="json", **headers)
    again = client.post(path, {"body": "Still broken"}, format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Message.objects.filter(request=request).count() == 1
    other = client.post(path, {"body": "Something else"}, format="json", **headers)
    assert other.status_code == 422


def test_a_retried_transition_runs_once_and_keys_are_per_path(desk):
    first_request = desk.request_in(State.IN_PROGRESS)
    second_request = desk.request_in(State.IN_PROGRESS)
    client = client_for(first_request.assignee.user)
    headers = {"HTTP_IDEMPOTENCY_KEY": "resolve-1"}
    for request in (first_request, second_request):
        path = f"/api/v1/requests/{request.reference}/transitions/resolve/"
        body = {"reason": "Fixed"}
        answers = [client.post(path, body, format="json", **headers) for _ in range(2)]
        assert [a.status_code for a in answers] == [200, 200], answers[0].content
        assert answers[1]["Idempotent-Replayed"] == "true"
        request.refresh_from_db()
        assert request.state == State.RESOLVED
        assert Event.objects.filter(request=request, transition="resolve").count() == 1


def test_the_schema_offers_the_key_on_every_post_but_signing_in_and_out(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    paths = yaml.safe_load(target.read_text())["paths"]
    posts = {path: ops["post"] for path, ops in paths.items() if "post" in ops}
    without = sorted(
        path
        for path, post in posts.items()
        if not any(p["name"] == "Idempotency-Key" for p in post.get("parameters", []))
    )
    assert without == [
        "/api/v1/auth/sign-out-everywhere/",
        "/api/v1/auth/sign-out/",
        "/api/v1/auth/token/",
    ]
