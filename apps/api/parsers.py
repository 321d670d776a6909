"""Request body parsing: DRF's JSON parser, with nesting too deep to decode and numbers no float
holds refused as a 400; DRF's multipart parser for uploads, with the body's size capped before it
is read."""

import codecs
import math
from json import JSONDecodeError

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json


def finite_float(text: str) -> float:
    """A JSON number as a float, refusing one beyond a float's range: Python's decoder reads
    `1e400` as infinity, which every integer and related field downstream would overflow on."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _parse_message(exc: ValueError) -> str:
    """The decoder's own message is English; where it stopped is what helps the caller."""
    if isinstance(exc, UnicodeDecodeError):
        return _("The body is not valid UTF-8 text.")
    if isinstance(exc, JSONDecodeError):
        return _("The body is not valid JSON (line %(line)d, column %(column)d).") % {
            "line": exc.lineno,
            "column": exc.colno,
        }
    return _("The body is not valid JSON (a number is out of range).")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (NaN and Infinity refused as literals), refusing numbers that decode
    to infinity too, and nesting too deep for the decoder."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            return json.load(codecs.getreader(encoding)(stream), parse_float=finite_float)
        except ValueError as exc:
            raise ParseError(_parse_message(exc)) from None
        except RecursionError:
            # Python's decoder raises RecursionError (not ValueError) on a few thousand nested
            # arrays: a 20 kB body would otherwise be a 500.
            raise ParseError(_("The body is not valid JSON (nested too deeply).")) from None


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser (file uploads), refusing a body larger than the attachment limits
    allow before reading it: Django counts files outside DATA_UPLOAD_MAX_MEMORY_SIZE and would
    otherwise spool any size to disk."""

    def parse(self, stream, media_type=None, parser_context=None):
        meta = parser_context["request"].META
        try:
            length = int(meta.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > upload_body_limit():
            raise RequestDataTooBig("The upload is larger than the attachment limits allow.")
        return super().parse(stream, media_type, parser_context)


def upload_body_limit() -> int:
    """The largest multipart body: the most files of the largest size, and the form's fields."""
    return (
        settings.SERVICEDESK_ATTACHMENT_MAX_COUNT * settings.SERVICEDESK_ATTACHMENT_MAX_BYTES
        + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )
