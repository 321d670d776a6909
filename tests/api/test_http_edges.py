"""HTTP below DRF: a URL without its trailing slash keeps its body, a chunked body without a
length is refused (411), what Django answers outside DRF under /api/ is the JSON error shape,
API responses are never cached, the admin carries a Content-Security-Policy."""

import json

import pytest

from apps.tickets.models import ServiceRequest
from tests.api.test_hostile_input import assert_error

pytestmark = pytest.mark.django_db


def test_a_post_without_the_trailing_slash_is_taken_with_its_body(customer_client):
    response = customer_client.post("/api/v1/requests", {"subject": "No slash"}, format="json")
    assert response.status_code == 201, response.content
    assert ServiceRequest.objects.get().subject == "No slash"
    listed = customer_client.get("/api/v1/requests")
    assert listed.status_code == 200 and listed.json()["count"] == 1


def test_an_unknown_url_without_a_slash_is_a_json_404(customer_client):
    assert_error(customer_client.post("/api/v1/nothing", {}, format="json"), status=404)


def test_a_chunked_body_without_a_length_is_refused_not_read_as_empty(customer_client):
    response = customer_client.generic(
        "POST",
        "/api/v1/requests/",
        json.dumps({"subject": "chunked"}),
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )
    assert_error(response, status=411, code="length_required")
    assert not ServiceRequest.objects.exists()


def test_a_host_not_allowed_is_a_json_400_under_the_api(anon_client):
    response = anon_client.get("/api/v1/faq/search/?q=printer", HTTP_HOST="evil.example")
    assert_error(response, status=400, code="bad_request")


def test_a_host_not_allowed_elsewhere_is_djangos_page(client):
    response = client.get("/admin/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert not response["Content-Type"].startswith("application/json")


def test_api_responses_are_never_stored_by_caches(customer_client, anon_client):
    for response in (
        customer_client.get("/api/v1/requests/"),
        customer_client.post("/api/v1/requests/", {"subject": "x"}, format="json"),
        anon_client.get("/api/v1/requests/"),
        customer_client.get("/api/v1/nothing/"),
    ):
        assert "no-store" in response["Cache-Control"], response.status_code


def test_the_admin_carries_a_content_security_policy(client):
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
