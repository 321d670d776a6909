"""The API's throttles: DRF's rates and keys, counted in one Redis round trip.

DRF keeps each caller's recent call times as a pickled list in the cache: a read and a write
per call (two round trips, and a list as long as the rate allows, unpickled and pickled on
every call). With Redis as the cache the same sliding window is a sorted set kept by one
script: drop the expired calls, count, add this one. Any other cache (local memory in tests
and the embedded default) keeps DRF's way. While Redis is down, calls are let through, as
the tolerant cache does (apps/core/cache.py)."""

from uuid import uuid4

from django.core.cache import cache as default_cache
from django.core.cache import caches
from redis.exceptions import ConnectionError, TimeoutError
from rest_framework import throttling

from apps.core.cache import TolerantRedisCache

# Drop the calls older than the window; refuse (answering the oldest call's time) when the
# window is full, else count this call. One atomic script: one round trip, and a refused call
# is never counted, as in DRF.
COUNT_CALL = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return {0, redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {1, ''}
"""


class CountedInRedis(throttling.SimpleRateThrottle):
    """DRF's sliding window, the same decision and Retry-After, in one round trip. Listed after
    DRF's throttle class, so that the scoped one picks its rate before counting."""

    def allow_request(self, request, view):
        backend = self._backend()
        if not isinstance(backend, TolerantRedisCache):
            return super().allow_request(request, view)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        # Its own key name: DRF's list under the plain name (a process not yet upgraded)
        # would be the wrong type for a sorted set.
        key, call = backend.make_key(f"{self.key}:window"), f"{self.now}:{uuid4().hex[:12]}"
        try:
            allowed, oldest = backend.raw_client().eval(
                COUNT_CALL, 1, key, self.now - self.duration, self.now, call,
                self.num_requests, int(self.duration) + 1,
            )  # fmt: skip
        except (ConnectionError, TimeoutError):
            return True
        if allowed:
            return True
        self._oldest = float(oldest)
        return self.throttle_failure()

    def wait(self):
        if not isinstance(self._backend(), TolerantRedisCache):
            return super().wait()
        return max(0.0, self.duration - (self.now - self._oldest))

    def _backend(self):
        """The cache behind DRF's `cache` attribute (Django's `cache` is a proxy to it)."""
        return caches["default"] if self.cache is default_cache else self.cache


class AnonRateThrottle(throttling.AnonRateThrottle, CountedInRedis):
    pass


class UserRateThrottle(throttling.UserRateThrottle, CountedInRedis):
    pass


class ScopedRateThrottle(throttling.ScopedRateThrottle, CountedInRedis):
    pass
