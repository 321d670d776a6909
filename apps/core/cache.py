"""A Redis cache that answers like an empty cache while Redis is down, so that what reads it on
every API call (the throttles) never turns a broker outage into failed requests."""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import Redis
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (ConnectionError, TimeoutError)


class ReusedClients(RedisCacheClient):
    """Django makes a new redis-py client for every cache call, which copies the client's
    response callbacks (80 us, twice per API call for the throttle); one client per connection
    pool serves them all (a redis-py client is thread-safe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Redis] = {}

    # The three names below are private to Django's RedisCacheClient; django-stubs leaves them
    # out.
    def get_client(self, key: object = None, *, write: bool = False) -> Redis:
        index: int = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class TolerantRedisCache(RedisCache):
    """Reads give the default and writes are dropped (logged) when Redis does not answer."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClients

    def raw_client(self) -> Redis:
        """The redis-py client behind the cache, for what Django's cache API cannot say in one
        round trip (the throttles); keys go through `make_key`."""
        return self._cache.get_client(write=True)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: get %s answered with the default", key)
            return default

    def set(
        self, key: Any, value: Any, timeout: float | None = None, version: int | None = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: set %s dropped", key)

    def add(
        self, key: Any, value: Any, timeout: float | None = None, version: int | None = None
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: add %s dropped", key)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: delete %s dropped", key)
            return False

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: get_many answered with nothing")
            return {}

    def set_many(
        self, data: dict[Any, Any], timeout: float | None = None, version: int | None = None
    ) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: set_many dropped")
            return list(data)
