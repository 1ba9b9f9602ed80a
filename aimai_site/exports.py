"""Cells for the CSV and XLSX files people download and open in a spreadsheet."""

import re
from collections.abc import Iterable

from django.utils.http import content_disposition_header

# A spreadsheet runs text starting with these as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula, behind a leading quote; anything else as it is.

    Only text is quoted: a number (even a negative one) stays a number, so it sums and sorts.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable) -> list:
    return [spreadsheet_safe(v) for v in values]


# Letters, digits, dot, dash and underscore: no quote, semicolon, slash or control character
# can reach the header, whatever a parameter held.
_NOT_IN_FILENAME = re.compile(r"[^\w.-]+")


def attachment_header(filename: str, *, inline: bool = False) -> str:
    """The Content-Disposition value of every file the site serves (RFC 6266): `filename`, with
    any character that could end the parameter or the header replaced; a non-ASCII name goes
    in `filename*` (RFC 5987)."""
    safe = _NOT_IN_FILENAME.sub("_", filename).strip("._") or "download"
    return content_disposition_header(as_attachment=not inline, filename=safe)
