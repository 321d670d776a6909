"""API tokens: issuing and revoking them (django-rest-knox rows hold only a digest)."""

from django.db import connection
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings


def do_issue_token(*, user) -> tuple[AuthToken, str]:
    """Issue a new API token for `user`: writes one AuthToken row holding only the token's
    digest and expiry; returns the row and the token itself, which nothing stores."""
    return AuthToken.objects.create(user=user)


def do_revoke_tokens(*, user) -> int:
    """Revoke every API token of `user`: deletes their rows one by one, so that each deletion
    tells every process to forget it (apps/api/authentication.py); returns how many."""
    tokens = list(AuthToken.objects.filter(user=user))
    for token in tokens:
        token.delete()
    return len(tokens)


def convert_plain_tokens(auth_token_model, now) -> int:
    """Turn DRF's plain-text tokens (table `authtoken_token`, if there is one) into hashed
    tokens that expire after the configured time unless used, then delete the plain text.
    The clients keep their token; the database no longer holds it. Returns how many."""
    if "authtoken_token" not in connection.introspection.table_names():
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
        for key, user_id, created in rows:
            row = auth_token_model(
                digest=hash_token(key),
                token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
                user_id=user_id,
                expiry=now + knox_settings.TOKEN_TTL,
            )
            row.save(force_insert=True)
            # `created` is set on insert; the token's age counts from when it was issued.
            auth_token_model.objects.filter(digest=row.digest).update(created=created)
        cursor.execute("DELETE FROM authtoken_token")
    return len(rows)
