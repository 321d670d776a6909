"""Reads of the organisation that pages repeat many times: department names, cached."""

from apps.accounts.models import Department
from apps.core.config_cache import ConfigCache

_NAMES = ConfigCache(lambda: dict(Department.objects.values_list("pk", "name")), [Department])


def department_name(pk: int | None) -> str | None:
    """The department's name from the per-process cache, or None for an unknown one."""
    return _NAMES.get().get(pk) if pk else None
