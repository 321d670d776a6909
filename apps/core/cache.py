"""A Redis cache that answers like an empty cache while Redis is down, so that what reads it on
every API call (the throttles) never turns a broker outage into failed requests."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (ConnectionError, TimeoutError)


class TolerantRedisCache(RedisCache):
    """Reads give the default and writes are dropped (logged) when Redis does not answer."""

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: get %s answered with the default", key)
            return default

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: set %s dropped", key)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: add %s dropped", key)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: delete %s dropped", key)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: get_many answered with nothing")
            return {}

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE:
            logger.warning("cache unavailable: set_many dropped")
            return list(data)
