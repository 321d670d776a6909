"""Webhook bodies and their Standard Webhooks signatures (https://www.standardwebhooks.com).

The signed content is "<webhook-id>.<webhook-timestamp>.<body>"; the signature is
"v1,<base64 of its HMAC-SHA256>" keyed with the secret's bytes, which travel as
"whsec_<base64>". Receivers verify with any Standard Webhooks library (`standardwebhooks` in
Python); the sender's half is written out here so production needs no extra package.
"""

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
# The specification asks for 24 to 64 random bytes.
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes, as "whsec_<base64>"."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_from_legacy(secret: str) -> str:
    """The Standard Webhooks form of a secret made before them, with the same key bytes.

    The old signatures were keyed with the secret's text as UTF-8, so "whsec_" + base64 of
    those bytes keys the same HMAC: a receiver holding the old text still has the key."""
    if secret.startswith(SECRET_PREFIX):
        return secret
    return SECRET_PREFIX + base64.b64encode(secret.encode()).decode()


def key_of(secret: str) -> bytes:
    """The HMAC key of a "whsec_<base64>" secret; ValueError when it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as error:
        raise ValueError("a webhook secret is whsec_ and base64") from error
    if not key:
        raise ValueError("a webhook secret may not be empty")
    return key


def iso_timestamp(at: datetime) -> str:
    """A time as webhooks write it: ISO 8601 in UTC, to the microsecond, ending in "Z"."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def encode_body(data: dict) -> bytes:
    """The exact bytes sent: sorted keys and compact separators, so retries send the same body."""
    text = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return text.encode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One `webhook-signature` entry: "v1,<base64 HMAC-SHA256 of '{id}.{timestamp}.{body}'>"."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), content, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def signed_headers(
    *, secrets_in_use: list[str], msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers. Several secrets (the current one and, for a while
    after a rotation, the previous one) give several space-separated signatures: a receiver
    holding either verifies."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in secrets_in_use),
    }
