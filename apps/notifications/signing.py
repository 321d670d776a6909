"""Webhook bodies and their HMAC-SHA256 signatures: one encoding for the sender and receivers."""

import hashlib
import hmac
import json
import time

from django.core.serializers.json import DjangoJSONEncoder

# A signed request older (or further in the future) than this is refused: it limits replays.
TOLERANCE_SECONDS = 300
SCHEME = "sha256="


def encode_body(data: dict) -> bytes:
    """The exact bytes sent: sorted keys and compact separators, so retries send the same body."""
    text = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return text.encode()


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The `X-ServiceDesk-Signature` value: HMAC-SHA256 of "<timestamp>.<body>" with the secret."""
    message = str(timestamp).encode() + b"." + body
    return SCHEME + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: int | str,
    body: bytes | str,
    header: str,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when `header` signs `body` at `timestamp` with `secret`, and the timestamp is within
    `tolerance` seconds of `now` (the receiver's clock, by default)."""
    try:
        sent_at = int(str(timestamp).strip())
    except ValueError:
        return False
    now = time.time() if now is None else now
    if abs(now - sent_at) > tolerance:
        return False
    if isinstance(body, str):
        body = body.encode()
    return hmac.compare_digest(sign(secret, sent_at, body), (header or "").strip())
