"""The throttles counted in Redis (one round trip per call) decide as DRF's do: per user and
per scope, refused calls not counted, Retry-After until the oldest counted call expires; and
they let calls through while Redis is down."""

import uuid

import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from tests.api.test_throttling import PASSWORD, _assert_throttled, _rates, _sign_in
from tests.factories import CustomerFactory
from tests.support.api import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def redis_cache(settings):
    """The tolerant Redis cache on the tests' Redis, under a prefix of this test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.TolerantRedisCache",
            "LOCATION": settings.TEST_REDIS_URL,
            "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex[:8]}",
        }
    }
    yield cache
    client = cache.raw_client()
    keys = list(client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}*"))
    if keys:
        client.delete(*keys)


def test_a_user_is_throttled_after_the_limit(monkeypatch, redis_cache, customer):
    _rates(monkeypatch, user="3/minute")
    client = client_for(customer.user)
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200] * 3
    _assert_throttled(client.get("/api/v1/requests/"))
    # Refused calls are not counted: the window still holds three calls, not five.
    _assert_throttled(client.get("/api/v1/requests/"))
    client = redis_cache.raw_client()
    windows = list(client.scan_iter(match=redis_cache.make_key("throttle_user_*:window")))
    assert [client.zcard(k) for k in windows] == [3]


def test_another_user_has_their_own_count(monkeypatch, redis_cache, customer):
    _rates(monkeypatch, user="2/minute")
    first, second = client_for(customer.user), client_for(CustomerFactory().user)
    for _ in range(2):
        first.get("/api/v1/me/")
    _assert_throttled(first.get("/api/v1/me/"))
    assert second.get("/api/v1/me/").status_code == 200


def test_calls_older_than_the_window_no_longer_count(monkeypatch, redis_cache, customer):
    _rates(monkeypatch, user="2/minute")
    now = [1_000_000.0]
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: now[0])
    client = client_for(customer.user)
    assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 200]
    now[0] += 30
    response = client.get("/api/v1/me/")
    _assert_throttled(response)
    assert response.json()["error"]["retry_after"] == 30  # until the oldest call is a minute old
    now[0] += 30.5
    assert client.get("/api/v1/me/").status_code == 200


def test_the_sign_in_scope_is_counted_too(monkeypatch, redis_cache, anon_client, customer):
    _rates(monkeypatch, auth="2/minute")
    for _ in range(2):
        assert _sign_in(anon_client, customer.user.username, "wrong").status_code == 400
    _assert_throttled(_sign_in(anon_client, customer.user.username, PASSWORD))


def test_calls_go_through_while_redis_is_down(monkeypatch, settings, customer):
    _rates(monkeypatch, user="1/minute")
    settings.CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.TolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    client = client_for(customer.user)
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200] * 3
