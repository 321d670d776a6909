"""How API callers authenticate: a hashed, expiring token (django-rest-knox) in the `Token`
header, with keys no token can have refused early and tokens remembered for a few seconds by
each process.

Only a token's SHA-512 digest and its first characters (to find the row) are stored; a stolen
database gives no usable token. A token expires `TOKEN_TTL` after its last use and never lives
past `AUTO_REFRESH_MAX_TTL` (settings `REST_KNOX`, docs/api.md "Tokens").

Looking the token up (with its user, agent and customer rows) was a fifth of a create's time
(docs/performance.md). Each process keeps what it found for `SERVICEDESK_TOKEN_CACHE_SECONDS`
(10 by default; 0 turns it off), keyed by the digest. A token deleted or a user changed is
forgotten at once: in this process directly, and in the others through a stamp in the shared
cache (Redis) that each reads with a remembered token, one cache read per call. Only while the
shared cache is down does a revoked token or a deactivated user keep working elsewhere for at
most that long."""

import binascii
import time
from hmac import compare_digest

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox import auth as knox_auth
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

# Pickled in and out, so every request gets its own copy of the user.
_recent = LocMemCache("api-tokens", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class TokenAuthentication(knox_auth.TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        # PostgreSQL refuses NUL in a text parameter with an error (a 500), not with no match.
        if b"\x00" in token:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        try:
            key = token.decode("ascii")
            digest = hash_token(key)
        except (UnicodeDecodeError, TypeError, ValueError, binascii.Error):
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        seconds = settings.SERVICEDESK_TOKEN_CACHE_SECONDS
        remembered = _recent.get(digest) if seconds else None
        found = remembered[0] if remembered and _still_good(*remembered) else None
        if found is None:
            found = self._look_up(key, digest)
            if seconds and found is not None and found.user.is_active:
                _recent.set(digest, (found, time.time()), seconds)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return self.validate_user(found)

    def _look_up(self, key: str, digest: str) -> AuthToken | None:
        """The live token with this digest, its expiry extended; an expired one is deleted."""
        # The user's agent and customer rows come in the same query, so resolving the actor
        # (`actor_for_user`) reads nothing more for a customer.
        candidates = AuthToken.objects.select_related("user__agent", "user__customer").filter(
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH]
        )
        for candidate in candidates:
            if not compare_digest(digest, candidate.digest):
                continue
            if candidate.expiry is not None and candidate.expiry < timezone.now():
                candidate.delete()
                return None
            if knox_settings.AUTO_REFRESH and candidate.expiry is not None:
                self.renew_token(candidate)
            return candidate
        return None


def _stamp_key(user_id: int) -> str:
    return f"api-token:changed:{user_id}"


def _still_good(token: AuthToken, remembered_at: float) -> bool:
    """Whether a remembered token has not expired and neither it nor its user changed since
    (in any process)."""
    if token.expiry is not None and token.expiry < timezone.now():
        return False
    changed_at = cache.get(_stamp_key(token.user_id))
    return changed_at is None or changed_at < remembered_at


def _stamp_changed(user_id: int) -> None:
    # It must outlive what any process remembers; a minute more for clocks apart.
    timeout = settings.SERVICEDESK_TOKEN_CACHE_SECONDS + 60
    cache.set(_stamp_key(user_id), time.time(), timeout)


@receiver(post_delete, sender=AuthToken, dispatch_uid="api-forget-deleted-token")
def forget_deleted_token(sender, instance, **kwargs) -> None:
    _recent.delete(instance.digest)
    _stamp_changed(instance.user_id)


@receiver(post_save, sender=get_user_model(), dispatch_uid="api-forget-changed-user")
def forget_changed_users_tokens(sender, instance, created, **kwargs) -> None:
    if not created:
        for digest in AuthToken.objects.filter(user=instance).values_list("digest", flat=True):
            _recent.delete(digest)
        _stamp_changed(instance.pk)


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's name for our token header: the same `tokenAuth` DRF's tokens had."""

    target_class = TokenAuthentication
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )
