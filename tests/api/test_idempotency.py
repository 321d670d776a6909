"""Idempotent creates: retries with one key give one request, even when they race."""

import threading

import pytest
from django.db import connection

from apps.api.idempotency import purge_expired_keys
from apps.api.models import IdempotencyKey
from apps.eventlog.models import Event
from apps.tickets.models import ServiceRequest
from tests.factories import CustomerFactory
from tests.support.api import client_for

BODY = {"subject": "Badge does not open the door", "impact": "low", "urgency": "high"}


def _post(client, key, body=BODY):
    return client.post("/api/v1/requests/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_retries_with_one_key_create_one_request(customer, customer_client):
    responses = [_post(customer_client, "retry-1") for _ in range(5)]
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["reference"] for r in responses}) == 1
    assert [r.headers.get("Idempotent-Replayed") for r in responses] == [None] + ["true"] * 4
    assert ServiceRequest.objects.filter(customer=customer).count() == 1
    assert Event.objects.filter(request__customer=customer, transition="submit").count() == 1


@pytest.mark.django_db
def test_same_key_with_another_body_is_refused(customer, customer_client):
    assert _post(customer_client, "k").status_code == 201
    response = _post(customer_client, "k", {**BODY, "subject": "Something else"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert ServiceRequest.objects.filter(customer=customer).count() == 1


@pytest.mark.django_db
def test_a_refused_create_is_not_remembered(customer, customer_client):
    bad = _post(customer_client, "fix-me", {**BODY, "impact": "extreme"})
    assert bad.status_code == 400
    assert _post(customer_client, "fix-me").status_code == 201
    assert ServiceRequest.objects.filter(customer=customer).count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_user(customer, customer_client):
    other = CustomerFactory()
    first = _post(customer_client, "shared-key")
    second = _post(client_for(other.user), "shared-key")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["reference"] != second.json()["reference"]


@pytest.mark.django_db
def test_keys_expire(customer, customer_client, settings):
    first = _post(customer_client, "old")
    settings.SERVICEDESK_IDEMPOTENCY_KEY_HOURS = 0
    second = _post(customer_client, "old")
    assert second.status_code == 201
    assert second.json()["reference"] != first.json()["reference"]
    assert purge_expired_keys() == 1
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
def test_an_empty_or_overlong_key_is_a_clear_error(customer_client):
    for key in ("  ", "x" * 256):
        response = _post(customer_client, key)
        assert response.status_code == 400
        assert "Idempotency-Key" in response.json()["error"]["fields"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_request():
    customer = CustomerFactory()
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    responses = [None] * threads_count

    def retry(i: int) -> None:
        client = client_for(customer.user)
        try:
            barrier.wait()
            responses[i] = _post(client, "race-key")
        finally:
            connection.close()

    threads = [threading.Thread(target=retry, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert {r.status_code for r in responses} == {201}, [r.content for r in responses]
    assert len({r.json()["reference"] for r in responses}) == 1
    assert ServiceRequest.objects.filter(customer=customer).count() == 1
    assert Event.objects.filter(request__customer=customer, transition="submit").count() == 1
