"""The API's request parsers."""

import codecs

from rest_framework import exceptions, parsers
from rest_framework.utils import json as drf_json

from aimai_site.jsonbounds import json_loads_bounded


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested too deeply with a 400 instead of exhausting
    the stack."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        parse_constant = drf_json.strict_constant if self.strict else None
        try:
            text = codecs.getreader(encoding)(stream).read()
            return json_loads_bounded(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
