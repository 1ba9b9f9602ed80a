"""JSON from outside, parsed with a bound on nesting: Python's parser recurses once per level,
so a body nested a few thousand levels deep would otherwise exhaust the stack."""

import json
import re

from django.utils.translation import gettext as _

# No document the site accepts comes near this; an attacker's bracket tower stops here.
MAX_JSON_DEPTH = 64

# strings (skipped whole, brackets inside them do not count) and the four brackets
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JSONTooDeep(ValueError):
    """The document nests deeper than MAX_JSON_DEPTH."""


def json_depth_check(text: str, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise JSONTooDeep when arrays and objects nest deeper than `limit`."""
    depth = 0
    for token in _TOKENS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > limit:
                raise JSONTooDeep(_("JSON nested deeper than %(limit)s levels.") % {"limit": limit})
        elif bracket in "]}":
            depth -= 1


def json_loads_bounded(text: str | bytes, **kwargs):
    """json.loads, refusing documents nested deeper than MAX_JSON_DEPTH (a ValueError, like any
    malformed JSON)."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8")
    json_depth_check(text)
    try:
        return json.loads(text, **kwargs)
    except RecursionError:  # a second line of defence, e.g. a lower recursion limit
        raise JSONTooDeep(_("JSON nested too deeply.")) from None
