"""Request body parsing: DRF's JSON parser, with nesting too deep to decode refused as a 400;
DRF's multipart parser for uploads, with the body's size capped before it is read."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        # Python's decoder raises RecursionError (not ValueError, which DRF turns into a 400)
        # on a few thousand nested arrays: a 20 kB body would otherwise be a 500.
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None


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
