"""Idempotent POSTs: a retried POST with the same `Idempotency-Key` gets the first response,
on every authenticated POST endpoint of the API (`idempotent_post`)."""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.api.errors import error_body
from apps.api.models import IdempotencyKey

HEADER = "Idempotency-Key"
# Visible ASCII, no spaces (a UUID fits): the schema states this pattern, and the code checks it.
KEY_PATTERN = "^[!-~]{1,255}$"


def idempotent(request, scope: str, create: Callable[[], Response]) -> Response:
    """Run `create` once per (user, scope, key). `create` raises for errors, which are not
    stored, so a client may fix its request and retry with the same key.

    The key row is inserted before `create` runs, in the same transaction: a concurrent retry
    blocks on the unique index until the first commits, then replays its response.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return create()
    if not re.fullmatch(KEY_PATTERN, key):
        raise ValidationError({HEADER: _("Between 1 and 255 visible ASCII characters, no spaces.")})
    fingerprint = _fingerprint(request.data)
    found = _live_key(request.user, scope, key)
    if found is not None:
        return _replay(found, fingerprint)
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=request.user,
                scope=scope,
                key=key,
                fingerprint=fingerprint,
                status_code=0,
                response={},
                created_at=timezone.now(),
            )
            response = create()
            record.status_code, record.response = response.status_code, _stored(response)
            record.save(update_fields=["status_code", "response"])
    except IntegrityError:
        found = _live_key(request.user, scope, key)
        if found is None:
            raise
        return _replay(found, fingerprint)
    return response


def idempotent_post(post):
    """Make a view's `post` idempotent for a signed-in caller: the scope is the path, so one
    key on two requests' transitions is two keys."""

    @wraps(post)
    def run(view, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return post(view, request, *args, **kwargs)
        scope = f"POST {request.path}"[: IdempotencyKey._meta.get_field("scope").max_length]
        return idempotent(request, scope, lambda: post(view, request, *args, **kwargs))

    return run


DESCRIPTION = (
    "A retried POST with the same key and body returns the first response (with the header "
    "`Idempotent-Replayed: true`) instead of doing it twice; the same key with another body is "
    "422. Keys are kept for SERVICEDESK_IDEMPOTENCY_KEY_HOURS."
)
# POSTs that stay outside: signing in (its answer is a new token, never stored) and out.
NOT_IDEMPOTENT = ("/api/v1/auth/",)


def add_idempotency_key_parameter(result, generator, request, public):
    """drf-spectacular hook: the `Idempotency-Key` header on every idempotent POST."""
    for path, operations in result.get("paths", {}).items():
        post = operations.get("post")
        if post is None or path.startswith(NOT_IDEMPOTENT):
            continue
        parameters = post.setdefault("parameters", [])
        declared = [p for p in parameters if p.get("name") == HEADER and p.get("in") == "header"]
        if not declared:
            declared = [{"in": "header", "name": HEADER, "description": DESCRIPTION}]
            parameters.extend(declared)
        # The rule the code checks, also where a view declared the header itself.
        declared[0]["schema"] = {"type": "string", "pattern": KEY_PATTERN}
    return result


def purge_expired_keys() -> int:
    """Delete keys older than SERVICEDESK_IDEMPOTENCY_KEY_HOURS; return how many."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=_oldest_live()).delete()
    return deleted


def _live_key(user, scope: str, key: str) -> IdempotencyKey | None:
    IdempotencyKey.objects.filter(
        user=user, scope=scope, key=key, created_at__lt=_oldest_live()
    ).delete()
    return IdempotencyKey.objects.filter(user=user, scope=scope, key=key).first()


def _oldest_live():
    return timezone.now() - timedelta(hours=settings.SERVICEDESK_IDEMPOTENCY_KEY_HOURS)


def _replay(record: IdempotencyKey, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        return Response(
            error_body(
                "idempotency_key_reused",
                f"The {HEADER} was already used with a different body; use a new key "
                "for a different request.",
            ),
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    body = None if record.status_code == status.HTTP_204_NO_CONTENT else record.response
    return Response(body, status=record.status_code, headers={"Idempotent-Replayed": "true"})


def _stored(response: Response):
    """The body as the client received it (DRF's JSON encoding: dates as text, ...)."""
    if response.data is None:
        return {}
    return json.loads(JSONRenderer().render(response.data))


def _fingerprint(data) -> str:
    if hasattr(data, "lists"):
        # A multipart body: every value of every field, and each file by its content, so a
        # retry with other files under the same names is a different body.
        data = {key: [_file_digest(v) for v in values] for key, values in data.lists()}
    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _file_digest(value):
    if not isinstance(value, UploadedFile):
        return value
    digest = hashlib.sha256()
    for chunk in value.chunks():
        digest.update(chunk)
    value.seek(0)
    return {"file": value.name, "sha256": digest.hexdigest()}
