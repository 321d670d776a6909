"""One JSON shape for every API error; domain errors mapped to HTTP in one place.

{"error": {"code": "not_allowed", "message": "...", "fields": {...}, ...details}}
"""

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.errors import Conflict, Forbidden, InvalidData, NotAllowed, ServiceDeskError
from apps.core.request_id import current_request_id

_DOMAIN_STATUS = {
    NotAllowed: status.HTTP_409_CONFLICT,
    Conflict: status.HTTP_409_CONFLICT,
    Forbidden: status.HTTP_403_FORBIDDEN,
    InvalidData: status.HTTP_400_BAD_REQUEST,
}

_DRF_CODES = {
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "malformed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def error_body(code: str, message: str, **extra) -> dict:
    """The error shape; `request_id` names the web request it answers (in the logs too)."""
    request_id = current_request_id()
    ids = {"request_id": request_id} if request_id else {}
    return {"error": {"code": code, "message": message, **extra, **ids}}


def exception_handler(exc, context):
    """DRF's handler, reshaped; ServiceDeskError mapped by its class."""
    if isinstance(exc, ServiceDeskError):
        http_status = next(s for cls, s in _DOMAIN_STATUS.items() if isinstance(exc, cls))
        return Response(error_body(exc.code, exc.message, **exc.details), status=http_status)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("too_large", _("The request body is larger than this API accepts.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFilesSent | TooManyFieldsSent):
        return Response(
            error_body("malformed", _("The body has more files or fields than this API accepts.")),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: a 500, logged by Django
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(code, _first_message(fields), fields=fields)
    else:
        extra = {"retry_after": exc.wait} if isinstance(exc, exceptions.Throttled) else {}
        response.data = error_body(code, str(exc.detail), **extra)
    response.data = _encodable(response.data)
    return response


def _encodable(data):
    """The error with lone surrogates (which some messages echo from the input, and which
    UTF-8 cannot encode) written as `\\udXXX` escapes, so the error renders instead of a 500."""
    if isinstance(data, dict):
        return {_encodable(k): _encodable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_encodable(v) for v in data]
    if isinstance(data, str):
        return data.encode("utf-8", "backslashreplace").decode("utf-8")
    return data


def _first_message(fields: dict) -> str:
    names = ", ".join(str(name) for name in fields)
    return _("Invalid input: %(names)s.") % {"names": names} if names else _("Invalid input.")
