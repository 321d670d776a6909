"""Reads of the organisation: department names (cached, pages repeat them), a person's language,
the name others see of a person."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from apps.accounts.models import Department
from apps.core.config_cache import ConfigCache

_NAMES = ConfigCache(lambda: dict(Department.objects.values_list("pk", "name")), [Department])


def department_name(pk: int | None) -> str | None:
    """The department's name from the per-process cache, or None for an unknown one."""
    return _NAMES.get().get(pk) if pk else None


def language_of(user: object) -> str:
    """The language a person reads the desk in: a customer's preferred language, an agent's
    admin language, else the desk's default (`LANGUAGE_CODE`)."""
    for profile in ("customer", "agent"):
        try:
            language = getattr(user, profile).language
        except (AttributeError, ObjectDoesNotExist):
            continue
        if language:
            return str(language)
    return str(settings.LANGUAGE_CODE)


def public_name(user) -> str:
    """The name a person is shown by to others: their full name, else their role ("an agent",
    "a customer"), never their login (staff logins would be easy to learn and to guess at)."""
    full = user.get_full_name()
    if full:
        return str(full)
    if _has_profile(user, "agent"):
        return _("an agent")
    if _has_profile(user, "customer"):
        return _("a customer")
    return _("a member of staff")


def _has_profile(user, profile: str) -> bool:
    try:
        return getattr(user, profile) is not None
    except ObjectDoesNotExist:
        return False
