"""Throttles: per anonymous IP, per user, and the sign-in scope against password guessing.

DRF reads the rates into `SimpleRateThrottle.THROTTLE_RATES` at import, so each test patches
that dict with low rates instead of overriding settings.
"""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import CustomerFactory
from tests.support.api import client_for

TOKEN = "/api/v1/auth/token/"
PASSWORD = "secret-pass-123"  # tests.factories.UserFactory


def _rates(monkeypatch, **rates):
    low = {"anon": "1000/minute", "user": "1000/minute", "auth": "1000/minute", **rates}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", low)


def _sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def _assert_throttled(response):
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert 0 < error["retry_after"] <= 60
    assert error["message"]


@pytest.mark.django_db
class TestAnonymous:
    def test_an_ip_is_throttled_after_the_limit(self, monkeypatch, anon_client, customer):
        _rates(monkeypatch, anon="3/minute")
        statuses = [_sign_in(anon_client, "carol", "wrong").status_code for _ in range(3)]
        assert statuses == [400, 400, 400]
        _assert_throttled(_sign_in(anon_client, "carol", "wrong"))

    def test_another_ip_has_its_own_count(self, monkeypatch, anon_client, customer):
        _rates(monkeypatch, anon="3/minute")
        for _ in range(3):
            _sign_in(anon_client, "carol", "wrong", ip="10.0.0.1")
        _assert_throttled(_sign_in(anon_client, "carol", "wrong", ip="10.0.0.1"))
        assert _sign_in(anon_client, "carol", PASSWORD, ip="10.0.0.2").status_code == 200


@pytest.mark.django_db
class TestPerUser:
    def test_a_user_is_throttled_after_the_limit(self, monkeypatch, customer_client):
        _rates(monkeypatch, user="3/minute")
        assert [customer_client.get("/api/v1/me/").status_code for _ in range(3)] == [200] * 3
        _assert_throttled(customer_client.get("/api/v1/requests/"))

    def test_another_user_is_not_throttled(self, monkeypatch, customer_client):
        _rates(monkeypatch, user="3/minute")
        for _ in range(4):
            customer_client.get("/api/v1/me/")
        assert customer_client.get("/api/v1/me/").status_code == 429
        other = client_for(CustomerFactory().user)
        assert other.get("/api/v1/me/").status_code == 200

    def test_the_limit_counts_per_user_not_per_ip(self, monkeypatch, customer_client):
        _rates(monkeypatch, user="3/minute")
        for n in range(3):
            customer_client.get("/api/v1/me/", REMOTE_ADDR=f"10.0.1.{n}")
        assert customer_client.get("/api/v1/me/", REMOTE_ADDR="10.0.1.9").status_code == 429


@pytest.mark.django_db
class TestSignIn:
    def test_password_guessing_is_throttled_even_for_the_right_password(
        self, monkeypatch, anon_client, customer
    ):
        _rates(monkeypatch, auth="5/minute")
        guesses = [_sign_in(anon_client, "carol", f"guess-{n}").status_code for n in range(5)]
        assert guesses == [400] * 5
        _assert_throttled(_sign_in(anon_client, "carol", PASSWORD))

    def test_the_configured_auth_rate_applies_without_patching(self, anon_client, customer):
        # The sign-in view must not switch throttles off (DRF's ObtainAuthToken does).
        limit = int(SimpleRateThrottle.THROTTLE_RATES["auth"].split("/")[0])
        assert limit <= 100, "this test expects a brute-force limit of a sane size"
        statuses = [_sign_in(anon_client, "carol", "wrong").status_code for _ in range(limit + 1)]
        assert statuses == [400] * limit + [429]

    def test_the_auth_scope_does_not_limit_other_endpoints(
        self, monkeypatch, anon_client, customer, customer_client
    ):
        _rates(monkeypatch, auth="2/minute")
        for _ in range(3):
            _sign_in(anon_client, "carol", "wrong")
        assert [customer_client.get("/api/v1/me/").status_code for _ in range(3)] == [200] * 3
