"""Request body parsing: DRF's JSON parser, with nesting too deep to decode refused as a 400."""

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
