"""Intake of observation files: reading (`files`) and the one set of rules (`rules`).

Plain Python and numpy; `countries.imports` feeds it from the database and writes what it
accepts.
"""

from countries.intake.files import FileRefused
from countries.intake.rules import (
    Assessment,
    CountryRef,
    Existing,
    IndicatorRule,
    Mapping,
    Reference,
    Report,
    check,
    records,
)

__all__ = [
    "Assessment",
    "CountryRef",
    "Existing",
    "FileRefused",
    "IndicatorRule",
    "Mapping",
    "Reference",
    "Report",
    "check",
    "records",
]
