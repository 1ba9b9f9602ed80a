"""The reference data a file is checked against: countries (and how their names are
matched), indicators with their plausible values, and the values already in the release.

Plain Python and numpy, no Django: `countries.imports` fills it from the database.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np

# The World Bank's regional and income aggregates: rows of every WDI download that are not
# countries. They are reported as skipped, never read as countries.
WORLD_BANK_AGGREGATES = frozenset(
    "AFE AFW ARB CEB CSS EAP EAR EAS ECA ECS EMU EUU FCS HIC HPC IBD IBT IDA IDB IDX INX LAC "
    "LCN LDC LIC LMC LMY LTE MEA MIC MNA NAC OED OSS PRE PSS PST SAS SSA SSF SST TEA TEC TLA "
    "TMN TSA TSS UMC WLD".split()
)


# ... and the names they go by in the same downloads (compared without case or punctuation)
WORLD_BANK_AGGREGATE_NAMES = frozenset(
    [
        "world",
        "arab world",
        "east asia pacific",
        "europe central asia",
        "latin america caribbean",
        "middle east north africa",
        "north america",
        "south asia",
        "sub saharan africa",
        "africa eastern and southern",
        "africa western and central",
        "central europe and the baltics",
        "euro area",
        "european union",
        "high income",
        "low income",
        "lower middle income",
        "upper middle income",
        "middle income",
        "low middle income",
        "oecd members",
        "fragile and conflict affected situations",
        "heavily indebted poor countries hipc",
        "ida total",
        "ida only",
        "ida blend",
        "ibrd only",
        "ida ibrd total",
        "least developed countries un classification",
        "small states",
        "other small states",
        "pacific island small states",
        "caribbean small states",
        "early demographic dividend",
        "late demographic dividend",
        "pre demographic dividend",
        "post demographic dividend",
        "middle east north africa afghanistan pakistan",
    ]
)
AGGREGATE_QUALIFIERS = ("excluding high income", "ida ibrd countries", "ida ibrd")


@dataclass(frozen=True)
class IndicatorRule:
    id: int
    code: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    log_scale: bool = False
    max_change: float | None = None

    def bounds(self) -> str:
        low = "−∞" if self.minimum is None else f"{self.minimum:g}"
        high = "∞" if self.maximum is None else f"{self.maximum:g}"
        return f"{low}–{high}"


@dataclass(frozen=True)
class CountryRef:
    id: int
    iso3: str
    name: str


@dataclass
class Existing:
    """The values already in the target release, as sorted numeric arrays."""

    keys: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    values: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    citations: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    pks: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))

    @classmethod
    def from_rows(cls, rows_: Iterator[tuple]) -> Existing:
        """From (pk, country id, indicator id, year, value, source_url, note) tuples."""
        keys, values, citations, pks = array("q"), array("d"), array("q"), array("q")
        for pk, country, indicator, year, value, url, note in rows_:
            keys.append(key_of(country, indicator, year))
            values.append(value)
            citations.append(hash((url, note)))
            pks.append(pk)
        keys_a = np.array(keys, np.int64)
        order = np.argsort(keys_a, kind="stable")
        return cls(
            keys_a[order],
            np.array(values, np.float64)[order],
            np.array(citations, np.int64)[order],
            np.array(pks, np.int64)[order],
        )


@dataclass
class Reference:
    countries: dict[str, CountryRef]  # by ISO3
    indicators: dict[str, IndicatorRule]  # by code
    existing: Existing = field(default_factory=Existing)
    last_year: int = 2100
    names: dict[str, str] = field(default_factory=dict)  # other names (official) -> ISO3

    def __post_init__(self) -> None:
        self.matcher = CountryMatcher(self.countries, self.names)


def key_of(country_id: int, indicator_id: int, year: int) -> int:
    return (country_id << 40) | (indicator_id << 16) | year


# --- countries ---------------------------------------------------------------------------


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@cache
def _name_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """country_converter's maintained name patterns (one regular expression per ISO3)."""
    table = resources.files("country_converter").joinpath("country_data.tsv")
    with table.open(encoding="utf-8") as handle:
        return tuple(
            (row["ISO3"], re.compile(row["regex"], re.IGNORECASE))
            for row in csv.DictReader(handle, delimiter="\t")
            if row["regex"] and row["ISO3"]
        )


class CountryMatcher:
    """ISO3 codes, ISO2 codes and names (in their many spellings: “Viet Nam”, “Korea, Rep.”,
    “Côte d'Ivoire”) to countries; each distinct text is matched once."""

    def __init__(self, countries: dict[str, CountryRef], names: dict[str, str]) -> None:
        self.countries = countries
        self.folded = {_fold(c.name): iso3 for iso3, c in countries.items()}
        self.folded.update({_fold(name): iso3 for name, iso3 in names.items()})
        self._cache: dict[str, tuple[CountryRef | None, bool]] = {}

    def match(self, text: str) -> tuple[CountryRef | None, bool]:
        """(country, matched by name) — or (None, False)."""
        if text not in self._cache:
            self._cache[text] = self._match(text.strip())
        return self._cache[text]

    def _match(self, text: str) -> tuple[CountryRef | None, bool]:
        if text.upper() in self.countries:
            return self.countries[text.upper()], False
        if _fold(text) in self.folded:
            return self.countries[self.folded[_fold(text)]], True
        if len(text) > 3:
            found = {iso3 for iso3, pattern in _name_patterns() if pattern.search(text)}
            found &= set(self.countries)
            if len(found) == 1:
                return self.countries[found.pop()], True
        return None, False

    def suggest(self, text: str) -> CountryRef | None:
        """The country whose name is closest to `text`, if one is close enough."""
        names = difflib.get_close_matches(_fold(text), list(self.folded), n=1, cutoff=0.6)
        return self.countries[self.folded[names[0]]] if names else None


def is_aggregate(text: str) -> bool:
    if text.upper() in WORLD_BANK_AGGREGATES:
        return True
    folded = _fold(text)
    return folded in WORLD_BANK_AGGREGATE_NAMES or any(
        folded.endswith(qualifier) for qualifier in AGGREGATE_QUALIFIERS
    )
