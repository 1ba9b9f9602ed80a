"""Intake of observation files: reading (`files`), the reference data (`reference`), the rules
each row meets (`rules`) and the file judged as a whole (`cells`).

Plain Python and numpy (and Django's translation functions, for the words of the reports);
`countries.imports` feeds it from the database and writes what it accepts.
"""

from countries.intake.cells import Assessment, check, records
from countries.intake.files import FileRefused
from countries.intake.reference import CountryRef, Existing, IndicatorRule, Reference
from countries.intake.rules import Mapping, Report

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
