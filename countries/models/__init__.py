"""The countries app's models, one module per part: reference data, releases (with their
observations and imports) and the index."""

from countries.models.index import (
    Methodology,
    MethodologyVersion,
    Score,
    ScoreSet,
    ScoreSetRecurrence,
)
from countries.models.reference import FIRST_YEAR, LAST_YEAR, Country, Indicator
from countries.models.releases import (
    DataImport,
    DataRelease,
    ImportMapping,
    Observation,
    ReleaseChange,
    ReleaseEvent,
)

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "Country",
    "DataImport",
    "DataRelease",
    "ImportMapping",
    "Indicator",
    "Methodology",
    "MethodologyVersion",
    "Observation",
    "ReleaseChange",
    "ReleaseEvent",
    "Score",
    "ScoreSet",
    "ScoreSetRecurrence",
]
