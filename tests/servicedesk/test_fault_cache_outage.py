"""With Redis as the cache (REDIS_URL in production) and Redis down, API calls still answer:
the throttles read the cache on every call, and the cache answers like an empty one."""

import pytest
from django.core.cache import cache
from redis.exceptions import ConnectionError

from tests.support.api import client_for
from tests.support.faults import free_port

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


def redis_cache_at_a_dead_port(backend: str) -> dict:
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_api_calls_answer_while_the_cache_is_down(settings, customer):
    settings.CACHES = redis_cache_at_a_dead_port("apps.core.cache.TolerantRedisCache")
    client = client_for(customer.user)
    assert client.get("/api/v1/me/").status_code == 200
    created = client.post("/api/v1/requests/", {"subject": "Cache down"}, format="json")
    assert created.status_code == 201, created.content
    assert cache.get("anything", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1}) == ["a"]


def test_django_s_own_redis_cache_would_fail_them(settings, customer):
    settings.CACHES = redis_cache_at_a_dead_port("django.core.cache.backends.redis.RedisCache")
    with pytest.raises(ConnectionError):
        client_for(customer.user).get("/api/v1/me/")
