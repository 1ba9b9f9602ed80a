"""Cells for the CSV and XLSX files people download and open in a spreadsheet."""

from collections.abc import Iterable

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
