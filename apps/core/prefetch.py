"""Relations the caller already knows, cached on an instance as `prefetch_related` and
`select_related` would, so that rendering it reads nothing back (a request just created knows
its SLA clocks and has no forecast yet)."""

from collections.abc import Iterable

from django.db import models


def set_prefetched(instance: models.Model, relation: str, objects: Iterable[models.Model]) -> None:
    """`instance.<relation>.all()` answers `objects` from now on, without a query."""
    queryset = getattr(instance, relation).all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    vars(instance).setdefault("_prefetched_objects_cache", {})[relation] = queryset


def set_absent(instance: models.Model, reverse_one_to_one: str) -> None:
    """`instance.<reverse_one_to_one>` raises DoesNotExist from now on, without a query."""
    getattr(type(instance), reverse_one_to_one).related.set_cached_value(instance, None)
