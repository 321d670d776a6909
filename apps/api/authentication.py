"""How API callers authenticate: DRF's token header, with keys no token can have refused early
and tokens remembered for a few seconds by each process.

Looking the token up (with its user, agent and customer rows) was a fifth of a create's time
(docs/performance.md). Each process keeps what it found for `SERVICEDESK_TOKEN_CACHE_SECONDS`
(10 by default; 0 turns it off). A token deleted or a user changed is forgotten at once: in this
process directly, and in the others through a stamp in the shared cache (Redis) that each reads
with a remembered token, one cache read per call. Only while the shared cache is down does a
revoked token or a deactivated user keep working elsewhere for at most that long."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

# Pickled in and out, so every request gets its own copy of the user.
_recent = LocMemCache("api-tokens", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        # PostgreSQL refuses NUL in a text parameter with an error (a 500), not with no match.
        if "\x00" in key:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        seconds = settings.SERVICEDESK_TOKEN_CACHE_SECONDS
        remembered = _recent.get(key) if seconds else None
        token = remembered[0] if remembered and not _changed_since(*remembered) else None
        if token is None:
            token = self._look_up(key)
            if seconds and token is not None and token.user.is_active:
                _recent.set(key, (token, time.time()), seconds)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token

    def _look_up(self, key: str) -> Token | None:
        # The user's agent and customer rows come in the same query, so resolving the actor
        # (`actor_for_user`) reads nothing more for a customer.
        tokens = self.get_model().objects.select_related("user__agent", "user__customer")
        try:
            return tokens.get(key=key)
        except Token.DoesNotExist:
            return None


def _stamp_key(user_id: int) -> str:
    return f"api-token:changed:{user_id}"


def _changed_since(token: Token, remembered_at: float) -> bool:
    """Whether the token's user or one of their tokens changed (in any process) since."""
    changed_at = cache.get(_stamp_key(token.user_id))
    return changed_at is not None and changed_at >= remembered_at


def _stamp_changed(user_id: int) -> None:
    # It must outlive what any process remembers; a minute more for clocks apart.
    timeout = settings.SERVICEDESK_TOKEN_CACHE_SECONDS + 60
    cache.set(_stamp_key(user_id), time.time(), timeout)


@receiver(post_delete, sender=Token, dispatch_uid="api-forget-deleted-token")
def forget_deleted_token(sender, instance, **kwargs) -> None:
    _recent.delete(instance.key)
    _stamp_changed(instance.user_id)


@receiver(post_save, sender=get_user_model(), dispatch_uid="api-forget-changed-user")
def forget_changed_users_tokens(sender, instance, created, **kwargs) -> None:
    if not created:
        for key in Token.objects.filter(user=instance).values_list("key", flat=True):
            _recent.delete(key)
        _stamp_changed(instance.pk)
