"""The one set of rules every file meets, whichever door it comes through.

Plain Python and numpy, no Django: the admin upload, `manage.py import_observations`, the
editors' API, the public "Check my file" page and the demo loader all call `check()` with the
reference data (countries, indicators, the values already in the target release) and get the
same row-numbered report. Nothing here writes anything.

A file is read in two passes over the same bytes: `check()` validates every row and keeps
only numbers (a few dozen bytes a row), then `records()` reads the file again and yields what
to write, so memory stays flat in the number of rows.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import math
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from importlib import resources
from urllib.parse import urlsplit

import numpy as np

from countries.intake.files import FileRefused, Row, column_letter, rows

FIRST_YEAR = 1990
SHOWN = 500  # rows of each kind a report lists; the counts are always complete

LONG, WIDE = "long", "wide"

# Error codes are stable (tests and the API use them); the messages are for people.
UNKNOWN_COUNTRY = "unknown_country"
UNKNOWN_INDICATOR = "unknown_indicator"
NOT_A_NUMBER = "not_a_number"
NOT_FINITE = "not_finite"
BAD_YEAR = "bad_year"
OUT_OF_RANGE = "out_of_range"
DUPLICATE = "duplicate"
BAD_SOURCE = "bad_source"
MISSING_VALUE = "missing_value"

MESSAGES = {
    UNKNOWN_COUNTRY: "unknown country {text!r}{hint}",
    UNKNOWN_INDICATOR: "unknown indicator {text!r}{hint}",
    NOT_A_NUMBER: "value {text!r} is not a number",
    NOT_FINITE: "value {text!r} is not a finite number",
    MISSING_VALUE: "the value is missing",
    BAD_YEAR: "year {text!r} {why}",
    OUT_OF_RANGE: "value {value:g} is outside the plausible range of {code} ({bounds} {unit})",
    DUPLICATE: "a second value for {iso3} {code} {year} (first given in row {first})",
    BAD_SOURCE: "{problem}: give the source as a URL, optionally followed by a note in brackets",
}
YEARS_OUTSIDE = "{count} year column(s) outside {first}–{last} ({years}) are not read"
SKIPPED_AGGREGATE = "{text!r} is a group of countries, not a country: skipped"
MAPPING_MISSING_COLUMN = "Row {row}: no column “{column}”; the columns found are: {found}."
MAPPING_NO_HEADER = (
    "No header row naming “{column}” was found in the first {rows} rows; check the column "
    "names (or the saved mapping)."
)
MAPPING_NO_YEARS = "Row {row}: no year columns (headers such as 2019 or “2019 [YR2019]”)."
MAPPING_NO_INDICATOR = "Say which indicator the file holds: a column or one indicator code."
MAPPING_NO_SOURCE = "Say where the values come from: a source column or one citation."
HEADER_SEARCH_ROWS = 30
BLANK_CELLS = {"", "..", "NA", "N/A", "n/a", "-", "—"}  # "no data" in wide downloads
YEAR_HEADER = re.compile(r"^\s*(\d{4})(?:\s*\[YR\d{4}\])?\s*$")

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


@dataclass(frozen=True)
class Mapping:
    """How a file's columns read. Long files need no mapping: their columns are named."""

    layout: str = LONG
    country_column: str = ""
    indicator_column: str = ""
    indicator: str = ""
    indicator_codes: dict = field(default_factory=dict)
    source_column: str = ""
    source: str = ""
    sheet: str = ""

    @classmethod
    def from_dict(cls, data: dict | None) -> Mapping:
        data = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__ and v}
        mapping = cls(**data)
        if mapping.layout not in (LONG, WIDE):
            raise FileRefused(f"Unknown layout {mapping.layout!r}: use “long” or “wide”.")
        if mapping.layout == WIDE:
            if not mapping.country_column:
                raise FileRefused("A wide file needs the name of its country column.")
            if not (mapping.indicator_column or mapping.indicator):
                raise FileRefused(MAPPING_NO_INDICATOR)
            if not (mapping.source_column or mapping.source):
                raise FileRefused(MAPPING_NO_SOURCE)
        return mapping


@dataclass
class Problem:
    row: int
    column: str
    code: str
    message: str


@dataclass
class Change:
    row: int
    column: str
    country: str
    indicator: str
    year: int
    old: float
    new: float
    citation_only: bool = False  # the same value, with a new source or note


@dataclass
class Flag:
    row: int
    column: str
    country: str
    indicator: str
    year: int
    value: float
    reason: str


@dataclass
class Report:
    """What a file would do to a release: rows to add, changes, unchanged rows, errors and
    values flagged for the reviewer. Lists stop at SHOWN entries; counts never do."""

    format: str = ""
    layout: str = LONG
    rows_read: int = 0
    values_read: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    error_count: int = 0
    error_rows: int = 0  # rows (or cells of a wide file) with at least one error
    skipped_values: int = 0  # values of groups of countries (World, regions), not read
    flag_count: int = 0
    blank_cells: int = 0
    errors: list[Problem] = field(default_factory=list)
    error_counts: dict[str, int] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    additions: list[Change] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    matches: dict[str, str] = field(default_factory=dict)  # name in the file -> "ISO3 Name"
    # SHA-256 of the release's values where the file has values: when it differs at apply
    # time, the release changed under the preview
    basis: str = ""

    def __post_init__(self) -> None:
        self._last_error: tuple[int, str] | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, row: int, column: str, kind: str, /, **words) -> None:
        self.error_count += 1
        self.error_counts[kind] = self.error_counts.get(kind, 0) + 1
        # a row's problems are told one after another: count the row once
        if self._last_error != (row, column):
            self.error_rows += 1
            self._last_error = (row, column)
        if len(self.errors) < SHOWN:
            self.errors.append(Problem(row, column, kind, MESSAGES[kind].format(**words)))

    def to_dict(self) -> dict:
        data = asdict(self)
        data["ok"] = self.ok
        return data


@dataclass(frozen=True)
class Record:
    """One valid value of the file, ready to be written."""

    row: int
    column: str
    country: CountryRef
    indicator: IndicatorRule
    year: int
    value: float
    source_url: str
    note: str

    @property
    def key(self) -> int:
        return key_of(self.country.id, self.indicator.id, self.year)

    @property
    def where(self) -> str:
        return f"row {self.row}" + (f", column {self.column}" if self.column else "")


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

    def suggest(self, text: str) -> str:
        names = difflib.get_close_matches(_fold(text), list(self.folded), n=1, cutoff=0.6)
        if names:
            country = self.countries[self.folded[names[0]]]
            return f"; did you mean {country.iso3} ({country.name})?"
        return "; use an ISO 3166-1 alpha-3 code or the country's name"


def _is_aggregate(text: str) -> bool:
    if text.upper() in WORLD_BANK_AGGREGATES:
        return True
    folded = _fold(text)
    return folded in WORLD_BANK_AGGREGATE_NAMES or any(
        folded.endswith(qualifier) for qualifier in AGGREGATE_QUALIFIERS
    )


def _indicator_hint(text: str, codes: list[str]) -> str:
    close = difflib.get_close_matches(text.strip().lower(), codes, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


# --- reading records ---------------------------------------------------------------------


def split_source(source: str) -> tuple[str, str]:
    """'URL (comment)' -> ('URL', 'comment'); the comment keeps everything after the URL."""
    url, _, rest = source.strip().partition(" ")
    rest = rest.strip()
    if rest.startswith("(") and rest.endswith(")") and rest.count("(") == 1:
        rest = rest[1:-1]
    return url, rest


def source_problem(url: str) -> str:
    """Why `url` is not a usable citation, or "" when it is."""
    if not url:
        return "missing source"
    if len(url) > 500:
        return "the source URL is longer than 500 characters"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in url:
        return f"source {url[:80]!r} does not start with an http(s) URL"
    return ""


def _find(header: list[str], name: str) -> int | None:
    wanted = name.strip().lower()
    for index, cell in enumerate(header):
        if cell.strip().lower() == wanted:
            return index
    return None


class _Reader:
    """Turns rows of cells into records and problems, for one layout."""

    def __init__(self, mapping: Mapping, reference: Reference, report: Report) -> None:
        self.mapping = mapping
        self.reference = reference
        self.report = report
        self.codes = sorted(reference.indicators)

    def records(self, stream: Iterator[Row]) -> Iterator[Record]:
        header = self._header(stream)
        if self.mapping.layout == WIDE:
            yield from self._wide(header, stream)
        else:
            yield from self._long(header, stream)

    def _header(self, stream: Iterator[Row]) -> Row:
        wanted = self.mapping.country_column or ("iso3" if self.mapping.layout == LONG else "")
        alternatives = [wanted] if self.mapping.country_column else ["iso3", "country"]
        for row in stream:
            self.report.rows_read = row.number
            if any(_find(row.cells, name) is not None for name in alternatives):
                return row
            if row.number >= HEADER_SEARCH_ROWS:
                break
        raise FileRefused(
            MAPPING_NO_HEADER.format(column=wanted or "iso3” or “country", rows=HEADER_SEARCH_ROWS)
        )

    def _column(self, header: Row, name: str) -> int:
        index = _find(header.cells, name)
        if index is None:
            found = ", ".join(f"“{c}”" for c in header.cells if c.strip()) or "none"
            raise FileRefused(
                MAPPING_MISSING_COLUMN.format(row=header.number, column=name, found=found)
            )
        return index

    def _long(self, header: Row, stream: Iterator[Row]) -> Iterator[Record]:
        m = self.mapping
        country = (
            self._column(header, m.country_column)
            if m.country_column
            else _find(header.cells, "iso3")
        )
        if country is None:
            country = self._column(header, "country")
        # a file with both columns: the name stands in where the code is blank
        by_name = None if m.country_column else _find(header.cells, "country")
        if by_name == country:
            by_name = None
        indicator = None
        if not m.indicator:
            indicator = self._column(header, m.indicator_column or "indicator")
        year = self._column(header, "year")
        value = self._column(header, "value")
        source = None if m.source else self._column(header, m.source_column or "source")
        columns = (country, by_name, indicator, year, value, source)
        width = max(i for i in columns if i is not None) + 1
        for row in stream:
            self.report.rows_read = row.number
            cells = row.cells + [""] * (width - len(row.cells))
            if not any(c.strip() for c in cells):
                continue  # an empty line ends nothing and holds nothing
            self.report.values_read += 1
            named = cells[country] if cells[country].strip() or by_name is None else cells[by_name]
            record = self._record(
                row.number,
                "",
                named,
                m.indicator or cells[indicator],
                cells[year],
                cells[value],
                m.source or cells[source],
                blank_is_missing=True,
            )
            if record is not None:
                yield record

    def _wide(self, header: Row, stream: Iterator[Row]) -> Iterator[Record]:
        m = self.mapping
        country = self._column(header, m.country_column)
        indicator = self._column(header, m.indicator_column) if m.indicator_column else None
        source = self._column(header, m.source_column) if m.source_column else None
        years = [
            (index, match.group(1))
            for index, cell in enumerate(header.cells)
            if (match := YEAR_HEADER.match(cell))
        ]
        if not years:
            raise FileRefused(MAPPING_NO_YEARS.format(row=header.number))
        # a download's whole history (WDI starts in 1960): columns outside the years the
        # index reads are named in the report and not read, rather than an error per cell
        last = self.reference.last_year
        outside = [(i, y) for i, y in years if not FIRST_YEAR <= int(y) <= last]
        if outside:
            years = [(i, y) for i, y in years if FIRST_YEAR <= int(y) <= last]
            self.report.skipped.append(
                Problem(
                    header.number,
                    f"{column_letter(outside[0][0])}–{column_letter(outside[-1][0])}",
                    "years_outside",
                    YEARS_OUTSIDE.format(
                        count=len(outside),
                        first=FIRST_YEAR,
                        last=last,
                        years=", ".join(y for _, y in outside[:3])
                        + (f" … {outside[-1][1]}" if len(outside) > 3 else ""),
                    ),
                )
            )
        for row in stream:
            self.report.rows_read = row.number
            cells = row.cells
            if not any(c.strip() for c in cells):
                continue
            if len(cells) <= country:
                cells = cells + [""] * (country + 1 - len(cells))
            series = m.indicator or (cells[indicator] if indicator < len(cells) else "")
            citation = m.source or (cells[source] if source < len(cells) else "")
            for index, year in years:
                text = cells[index] if index < len(cells) else ""
                if text.strip() in BLANK_CELLS:
                    self.report.blank_cells += 1
                    continue
                self.report.values_read += 1
                record = self._record(
                    row.number,
                    f"{column_letter(index)} ({header.cells[index].strip()})",
                    cells[country],
                    series,
                    year,
                    text,
                    citation,
                    blank_is_missing=False,
                )
                if record is not None:
                    yield record

    def _record(
        self, row, column, country_text, indicator_text, year_text, value_text, source, **kw
    ) -> Record | None:
        report, ref = self.report, self.reference
        country_text = country_text.strip()
        if _is_aggregate(country_text):
            report.skipped_values += 1
            if len(report.skipped) < SHOWN and not any(s.row == row for s in report.skipped[-1:]):
                report.skipped.append(
                    Problem(row, "", "aggregate", SKIPPED_AGGREGATE.format(text=country_text))
                )
            return None
        country, by_name = ref.matcher.match(country_text)
        if country is None:
            hint = ref.matcher.suggest(country_text) if country_text else ""
            report.error(row, column, UNKNOWN_COUNTRY, text=country_text, hint=hint)
            return None
        if by_name and country_text not in report.matches:
            report.matches[country_text] = f"{country.iso3} {country.name}"
        code = str(self.mapping.indicator_codes.get(indicator_text.strip(), indicator_text))
        rule = ref.indicators.get(code.strip())
        if rule is None:
            hint = _indicator_hint(code, self.codes)
            report.error(row, column, UNKNOWN_INDICATOR, text=indicator_text.strip(), hint=hint)
            return None
        # the year, the value and the source are judged apart: every problem of a row is told
        errors = report.error_count
        year = _year(year_text)
        if year is None or not FIRST_YEAR <= year <= ref.last_year:
            why = (
                "is not a year (four digits)"
                if year is None
                else f"is outside {FIRST_YEAR}–{ref.last_year}"
            )
            report.error(row, column, BAD_YEAR, text=year_text.strip(), why=why)
        value = self._value(row, column, value_text, rule)
        url, note, problem = _citation(source)
        if problem:
            report.error(row, column, BAD_SOURCE, problem=problem)
        if report.error_count > errors:
            return None
        return Record(row, column, country, rule, year, value, url, note)

    def _value(self, row, column, value_text: str, rule: IndicatorRule) -> float | None:
        report = self.report
        text = value_text.strip()
        if not text:
            report.error(row, column, MISSING_VALUE)
            return None
        try:
            value = float(text)
        except ValueError:
            report.error(row, column, NOT_A_NUMBER, text=text[:60])
            return None
        if not math.isfinite(value):
            report.error(row, column, NOT_FINITE, text=text)
            return None
        if (rule.minimum is not None and value < rule.minimum) or (
            rule.maximum is not None and value > rule.maximum
        ):
            report.error(
                row,
                column,
                OUT_OF_RANGE,
                value=value,
                code=rule.code,
                bounds=rule.bounds(),
                unit=rule.unit,
            )
            return None
        return value


def _year(text: str) -> int | None:
    text = text.strip()
    if len(text) == 4 and text.isdigit():  # the common case, without a regular expression
        return int(text)
    if re.fullmatch(r"\d{4}(\.0+)?", text):
        return int(float(text))
    return None


@lru_cache(maxsize=4096)
def _citation(source: str) -> tuple[str, str, str]:
    """(url, note, problem) of a source; a file repeats a handful of sources many times."""
    url, note = split_source(source)
    problem = source_problem(url)
    if problem and url and not url.lower().startswith(("http://", "https://")):
        problem = f"source {source.strip()[:80]!r} does not start with an http(s) URL"
    return url, note, problem


# --- the whole file ----------------------------------------------------------------------


ADD, CHANGE, KEEP = 0, 1, 2


class Cells:
    """A file's values by cell — country × indicator × year — with the row each came from.

    Memory is bounded by the countries, the indicators the file holds and the years the index
    reads (1990 to this year), never by the number of rows: a file of a million rows over the
    same cells costs what one of a thousand does. One block per indicator, made when the
    indicator first appears.
    """

    def __init__(self, reference: Reference) -> None:
        self.first_year = FIRST_YEAR
        self.years = max(reference.last_year - FIRST_YEAR + 1, 1)
        self.country_index = {c.id: i for i, c in enumerate(reference.countries.values())}
        self.iso3 = [c.iso3 for c in reference.countries.values()]
        self.indicator_index: dict[int, int] = {}
        self.rules: list[IndicatorRule] = []
        self.values: list[np.ndarray] = []
        self.citations: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []  # 0: no value in the file
        self.columns: list[np.ndarray] = []
        self.labels: dict[str, int] = {"": 0}

    def cell(self, record: Record) -> tuple[int, int, int]:
        index = self.indicator_index.get(record.indicator.id)
        if index is None:
            index = self.indicator_index[record.indicator.id] = len(self.rules)
            shape = (len(self.country_index), self.years)
            self.rules.append(record.indicator)
            self.values.append(np.full(shape, np.nan))
            self.citations.append(np.zeros(shape, np.int64))
            self.rows.append(np.zeros(shape, np.int64))
            self.columns.append(np.zeros(shape, np.int32))
        return index, self.country_index[record.country.id], record.year - self.first_year

    def label(self, column: str) -> int:
        return self.labels.setdefault(column, len(self.labels))

    def column_of(self, label: int) -> str:
        if not hasattr(self, "_names"):
            self._names = {i: name for name, i in self.labels.items()}
        return self._names[int(label)]

    def existing(self, existing: Existing) -> tuple[np.ndarray, np.ndarray]:
        """The release's values and citations at the file's indicators, as cubes."""
        shape = (len(self.rules), len(self.country_index), self.years)
        values, citations = np.full(shape, np.nan), np.zeros(shape, np.int64)
        if not len(existing.keys) or not self.rules:
            return values, citations
        indicator = (existing.keys >> 16) & 0xFFFFFF
        year = (existing.keys & 0xFFFF) - self.first_year
        country = existing.keys >> 40
        # ids to positions on each axis, as lookup tables (-1: not on the axis)
        k_of = _lookup(self.indicator_index, int(indicator.max()))
        c_of = _lookup(self.country_index, int(country.max()))
        k, c = k_of[indicator], c_of[country]
        keep = (k >= 0) & (c >= 0) & (year >= 0) & (year < self.years)
        k, c, y = k[keep], c[keep], year[keep]
        values[k, c, y] = existing.values[keep]
        citations[k, c, y] = existing.citations[keep]
        return values, citations


def _lookup(positions: dict[int, int], largest: int) -> np.ndarray:
    table = np.full(max(largest, *positions, 0) + 1, -1, np.int64)
    for key, position in positions.items():
        table[key] = position
    return table


@dataclass
class Assessment:
    """The outcome of `check()`: the report, and for each cell of the file what applying does
    with it (add, change, keep) and why it is flagged, if it is."""

    report: Report
    cells: Cells
    actions: np.ndarray  # per cell: ADD, CHANGE or KEEP (meaningful where the file has a value)
    flags: dict[tuple[int, int, int], str]

    def decision(self, record: Record) -> tuple[int, str] | None:
        """(action, flag) for a record; None for a second value of a cell already given."""
        cell = self.cells.cell(record)
        if self.cells.rows[cell[0]][cell[1:]] != record.row:
            return None
        return int(self.actions[cell]), self.flags.get(cell, "")


def _stream(content: bytes, mapping: Mapping, reference: Reference, report: Report, progress):
    fmt, stream = rows(content, sheet=mapping.sheet)
    report.format, report.layout = fmt, mapping.layout
    reader = _Reader(mapping, reference, report)
    for index, record in enumerate(reader.records(stream)):
        if progress is not None and index % 10000 == 0:
            progress(report.rows_read)
        yield record


def check(
    content: bytes,
    mapping: Mapping,
    reference: Reference,
    *,
    progress: Callable[[int], None] | None = None,
) -> Assessment:
    """Read and check every row of `content` against `reference`. Raises FileRefused when
    the file as a whole cannot be read; every row's problem goes into the report."""
    report = Report()
    cells = Cells(reference)
    for record in _stream(content, mapping, reference, report, progress):
        k, c, y = cells.cell(record)
        first = cells.rows[k][c, y]
        if first:  # a second value for the same country, indicator and year
            report.error(
                record.row,
                record.column,
                DUPLICATE,
                iso3=record.country.iso3,
                code=record.indicator.code,
                year=record.year,
                first=int(first),
            )
            continue
        cells.rows[k][c, y] = record.row
        cells.values[k][c, y] = record.value
        cells.citations[k][c, y] = hash((record.source_url, record.note))
        cells.columns[k][c, y] = cells.label(record.column)
    if progress is not None:
        progress(report.rows_read)
    return _assess(report, cells, reference)


def _stack(blocks: list[np.ndarray], cells: Cells, dtype, fill) -> np.ndarray:
    if blocks:
        return np.stack(blocks)
    return np.full((0, len(cells.country_index), cells.years), fill, dtype)


def _assess(report: Report, cells: Cells, reference: Reference) -> Assessment:
    values = _stack(cells.values, cells, np.float64, np.nan)
    citations = _stack(cells.citations, cells, np.int64, 0)
    rows_ = _stack(cells.rows, cells, np.int64, 0)
    columns = _stack(cells.columns, cells, np.int32, 0)
    old, old_citations = cells.existing(reference.existing)
    present = rows_ > 0

    # against the release: add, change or keep
    found = present & ~np.isnan(old)
    same = found & (old == values) & (old_citations == citations)
    actions = np.full(values.shape, ADD, np.int8)
    actions[found] = CHANGE
    actions[same] = KEEP
    report.added = int(np.sum(present & ~found))
    report.changed = int(np.sum(found & ~same))
    report.unchanged = int(np.sum(same))
    # what the preview saw of the release at the file's cells: a change since makes it stale
    seen = np.where(found, old, 0.0)
    report.basis = hashlib.sha256(present.tobytes() + found.tobytes() + seen.tobytes()).hexdigest()

    def where(cell) -> tuple:
        """(row, column, country, indicator, year) of a cell, as the report names it."""
        k, c, y = (int(i) for i in cell)
        row, column = int(rows_[k, c, y]), cells.column_of(columns[k, c, y])
        return row, column, cells.iso3[c], cells.rules[k].code, cells.first_year + y

    def listed(mask) -> list[tuple]:
        """Up to SHOWN cells of `mask`, in the order of the file."""
        found_cells = np.argwhere(mask)
        order = np.lexsort((columns[mask], rows_[mask]))[:SHOWN]
        return [tuple(int(i) for i in found_cells[i]) for i in order]

    for cell in listed(present & ~found):
        report.additions.append(Change(*where(cell), None, float(values[cell])))
    for cell in listed(found & ~same):
        was, now = float(old[cell]), float(values[cell])
        report.changes.append(Change(*where(cell), was, now, citation_only=was == now))

    flags = _suspicious(cells, values, old, present, found & ~same)
    # a value the release already holds as it is was reviewed before: not flagged again
    flags = {cell: reason for cell, reason in flags.items() if not same[cell]}
    report.flag_count = len(flags)
    for cell in sorted(flags, key=lambda cell: (rows_[cell], columns[cell]))[:SHOWN]:
        report.flags.append(Flag(*where(cell), float(values[cell]), flags[cell]))
    return Assessment(report, cells, actions, flags)


def _suspicious(cells: Cells, values, old, present, changed) -> dict[tuple, str]:
    """Values a reviewer should look at: far from the cross-country distribution, or a large
    change from the country's previous value. They never block an import."""
    flags: dict[tuple, str] = {}
    if not present.any():
        return flags
    # the data as it would be: the release's values, replaced by the file's
    combined = np.where(present, values, old)
    logged = np.array([rule.log_scale for rule in cells.rules], bool)[:, None, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(logged, np.where(combined > 0, np.log10(combined), np.nan), combined)

    # 1. more than 3 standard deviations from the indicator's values that year (over countries)
    usable = ~np.isnan(scale)
    count = usable.sum(axis=1, keepdims=True)
    x = np.where(usable, scale, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = x.sum(axis=1, keepdims=True) / count
        var = (x * x).sum(axis=1, keepdims=True) / count - mean**2
        sd = np.sqrt(np.maximum(var, 0))
        z = np.abs(scale - mean) / np.where(sd > 0, sd, np.inf)
    far = present & usable & (z > 3) & (count >= 10)
    counts = np.broadcast_to(count, scale.shape)
    for cell in map(tuple, np.argwhere(far)):
        scale_name = " on a log scale" if cells.rules[cell[0]].log_scale else ""
        flags[cell] = (
            f"{z[cell]:.1f} standard deviations from the {int(counts[cell])} "
            f"countries' values that year{scale_name}"
        )

    # 2. a change from the country's previous value larger than the indicator allows
    limits = np.array(
        [np.inf if rule.max_change is None else rule.max_change for rule in cells.rules]
    )[:, None, None]
    if np.isfinite(limits).any():
        years = np.arange(cells.years)
        seen = np.where(np.isnan(combined), -1, years)
        # the latest earlier year with a value, for every cell
        latest = np.maximum.accumulate(seen, axis=2)
        before_year = np.concatenate(
            [np.full(latest.shape[:2] + (1,), -1), latest[:, :, :-1]], axis=2
        )
        before = np.take_along_axis(combined, np.maximum(before_year, 0), axis=2)
        valid = present & (before_year >= 0) & (before != 0) & ~np.isnan(before)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = (combined - before) / np.abs(before)
            jump = valid & (np.abs(share) > limits)
            revised = np.where(changed & (old != 0), (values - old) / np.abs(old), 0.0)
        for cell in map(tuple, np.argwhere(jump)):
            k = cell[0]
            reason = (
                f"{share[cell]:+.0%} from {cells.first_year + int(before_year[cell])} "
                f"({before[cell]:g} → {combined[cell]:g}); this indicator flags changes over "
                f"{cells.rules[k].max_change:.0%}"
            )
            flags[cell] = f"{flags[cell]}; {reason}" if cell in flags else reason
        for cell in map(tuple, np.argwhere(changed & (np.abs(revised) > limits))):
            reason = f"replaces {old[cell]:g} with {values[cell]:g} ({revised[cell]:+.0%})"
            flags[cell] = f"{flags[cell]}; {reason}" if cell in flags else reason
    return flags


def records(
    content: bytes, mapping: Mapping, reference: Reference, assessment: Assessment
) -> Iterator[tuple[Record, int, str]]:
    """(record, action, flag) for every valid record of a checked file, read again from its
    bytes: what applying it writes."""
    report = Report()
    for record in _stream(content, mapping, reference, report, None):
        decision = assessment.decision(record)
        if decision is not None:
            yield record, *decision
