"""A per-process cache of configuration that changes rarely (routing rules, SLA policies)."""

import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")


class ConfigCache(Generic[T]):
    """Holds what `load()` returns for SERVICEDESK_CONFIG_CACHE_SECONDS (0: no caching).

    A save or delete of any of `models` (and a change of their many-to-many relations) clears
    it in the process that made the change; other processes see the change within the
    lifetime. Workers route thousands of requests a minute against a handful of rules, so
    loading them once every few seconds instead of once a request is most of their cost.
    """

    def __init__(self, load: Callable[[], T], models: list[type]) -> None:
        self._load = load
        self._value: T  # set by the first get(): _loaded_at starts at -inf
        self._loaded_at = float("-inf")
        for model in models:
            post_save.connect(self.clear, sender=model, weak=False)
            post_delete.connect(self.clear, sender=model, weak=False)
        m2m_changed.connect(self.clear, weak=False)  # e.g. a policy's categories

    def get(self) -> T:
        lifetime = settings.SERVICEDESK_CONFIG_CACHE_SECONDS
        if lifetime <= 0:
            return self._load()
        if time.monotonic() - self._loaded_at > lifetime:
            self._value = self._load()
            self._loaded_at = time.monotonic()
        return self._value

    def clear(self, *args: object, **kwargs: object) -> None:
        self._loaded_at = float("-inf")
