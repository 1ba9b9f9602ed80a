"""The API's request parsers: JSON with a bound on nesting, and no NUL character in any text
(PostgreSQL cannot store or compare one), whatever the body's type; both are a 400."""

import codecs

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions, parsers
from rest_framework.utils import json as drf_json

from aimai_site.jsonbounds import json_loads_bounded

# translated where it is raised
NUL_REFUSED = gettext_noop("The body holds a NUL character (\\u0000), which no text may contain.")


def _refuse_nul(value) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise exceptions.ParseError(_(NUL_REFUSED))
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_nul(item)


def _refuse_nul_in_form(data) -> None:
    for key, values in data.lists():
        _refuse_nul(key)
        _refuse_nul(values)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested too deeply with a 400 instead of exhausting
    the stack."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        parse_constant = drf_json.strict_constant if self.strict else None
        try:
            text = codecs.getreader(encoding)(stream).read()
            data = json_loads_bounded(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise exceptions.ParseError(
                _("JSON parse error - %(error)s") % {"error": exc}
            ) from None
        _refuse_nul(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _refuse_nul_in_form(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_nul_in_form(parsed.data)
        return parsed
