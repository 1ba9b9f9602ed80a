"""The one set of rules every file meets, whichever door it comes through.

Plain Python, no Django beyond its translation functions: the admin upload,
`manage.py import_observations`, the editors' API, the public "Check my file" page and the
demo loader all read files through `Reader`, which turns rows of cells into records and
row-numbered problems, and get the same report.
`countries.intake.cells` then judges the file as a whole. Nothing here writes anything.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from countries.intake.files import FileRefused, Row, column_letter
from countries.intake.reference import (
    CountryRef,
    IndicatorRule,
    Reference,
    is_aggregate,
    key_of,
)

FIRST_YEAR = 1990
SHOWN = 500  # rows of each kind a report lists; the counts are always complete

LONG, WIDE = "long", "wide"

# Error codes are stable (tests and the API use them); the messages are for people, in the
# language of whoever sends the file (a report keeps the words it was written in).
UNKNOWN_COUNTRY = "unknown_country"
UNKNOWN_INDICATOR = "unknown_indicator"
NOT_A_NUMBER = "not_a_number"
NOT_FINITE = "not_finite"
BAD_YEAR = "bad_year"
OUT_OF_RANGE = "out_of_range"
DUPLICATE = "duplicate"
BAD_SOURCE = "bad_source"
MISSING_VALUE = "missing_value"

# {text} is the cell as the file has it, quoted: repr(cell)
MESSAGES = {
    UNKNOWN_COUNTRY: _("unknown country {text}"),
    UNKNOWN_INDICATOR: _("unknown indicator {text}"),
    NOT_A_NUMBER: _("value {text} is not a number"),
    NOT_FINITE: _("value {text} is not a finite number"),
    MISSING_VALUE: _("the value is missing"),
    BAD_YEAR: _("year {text} is not a year (four digits)"),
    OUT_OF_RANGE: _("value {value} is outside the plausible range of {code} ({bounds} {unit})"),
    DUPLICATE: _("a second value for {iso3} {code} {year} (first given in row {first})"),
    BAD_SOURCE: _(
        "missing source: give the source as a URL, optionally followed by a note in brackets"
    ),
}
UNKNOWN_COUNTRY_GUESS = _("unknown country {text}; did you mean {iso3} ({name})?")
UNKNOWN_COUNTRY_HELP = _(
    "unknown country {text}; use an ISO 3166-1 alpha-3 code or the country's name"
)
UNKNOWN_INDICATOR_GUESS = _("unknown indicator {text}; did you mean {code}?")
YEAR_OUTSIDE = _("year {text} is outside {first}–{last}")
# why a citation is refused, by what source_problem() finds
SOURCE_MESSAGES = {
    "missing": MESSAGES[BAD_SOURCE],
    "too_long": _(
        "the source URL is longer than 500 characters: give the source as a URL, optionally "
        "followed by a note in brackets"
    ),
    "not_url": _(
        "source {text} does not start with an http(s) URL: give the source as a URL, "
        "optionally followed by a note in brackets"
    ),
}
SKIPPED_AGGREGATE = _("{text} is a group of countries, not a country: skipped")
MAPPING_MISSING_COLUMN = _("Row {row}: no column “{column}”; the columns found are: {found}.")
MAPPING_NO_HEADER = _(
    "No header row naming “{column}” was found in the first {rows} rows; check the column "
    "names (or the saved mapping)."
)
MAPPING_NO_HEADER_LONG = _(
    "No header row naming “iso3” or “country” was found in the first {rows} rows; check the "
    "column names (or the saved mapping)."
)
MAPPING_NO_YEARS = _("Row {row}: no year columns (headers such as 2019 or “2019 [YR2019]”).")
MAPPING_NO_INDICATOR = _("Say which indicator the file holds: a column or one indicator code.")
MAPPING_NO_SOURCE = _("Say where the values come from: a source column or one citation.")
MAPPING_BAD_LAYOUT = _("Unknown layout {layout}: use “long” or “wide”.")
MAPPING_NO_COUNTRY_COLUMN = _("A wide file needs the name of its country column.")
HEADER_SEARCH_ROWS = 30
BLANK_CELLS = {"", "..", "NA", "N/A", "n/a", "-", "—"}  # "no data" in wide downloads
YEAR_HEADER = re.compile(r"^\s*(\d{4})(?:\s*\[YR\d{4}\])?\s*$")


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
            raise FileRefused(MAPPING_BAD_LAYOUT.format(layout=repr(mapping.layout)))
        if mapping.layout == WIDE:
            if not mapping.country_column:
                raise FileRefused(str(MAPPING_NO_COUNTRY_COLUMN))
            if not (mapping.indicator_column or mapping.indicator):
                raise FileRefused(str(MAPPING_NO_INDICATOR))
            if not (mapping.source_column or mapping.source):
                raise FileRefused(str(MAPPING_NO_SOURCE))
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

    def error(self, row: int, column: str, kind: str, message=None, /, **words) -> None:
        """Count a problem of `kind`; list it, in words, while the list is short. `message`:
        the words when not the kind's own (a guess at what was meant, say)."""
        self.error_count += 1
        self.error_counts[kind] = self.error_counts.get(kind, 0) + 1
        # a row's problems are told one after another: count the row once
        if self._last_error != (row, column):
            self.error_rows += 1
            self._last_error = (row, column)
        if len(self.errors) < SHOWN:
            said = (message or MESSAGES[kind]).format(**words)
            self.errors.append(Problem(row, column, kind, said))

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


def _indicator_guess(text: str, codes: list[str]) -> str:
    close = difflib.get_close_matches(text.strip().lower(), codes, n=1, cutoff=0.6)
    return close[0] if close else ""


# --- reading records ---------------------------------------------------------------------


def split_source(source: str) -> tuple[str, str]:
    """'URL (comment)' -> ('URL', 'comment'); the comment keeps everything after the URL."""
    url, _, rest = source.strip().partition(" ")
    rest = rest.strip()
    if rest.startswith("(") and rest.endswith(")") and rest.count("(") == 1:
        rest = rest[1:-1]
    return url, rest


def source_problem(url: str) -> str:
    """Why `url` is not a usable citation (a key of SOURCE_MESSAGES), or "" when it is."""
    if not url:
        return "missing"
    if len(url) > 500:
        return "too_long"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in url:
        return "not_url"
    return ""


def _find(header: list[str], name: str) -> int | None:
    wanted = name.strip().lower()
    for index, cell in enumerate(header):
        if cell.strip().lower() == wanted:
            return index
    return None


class Reader:
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
        if not wanted:
            raise FileRefused(MAPPING_NO_HEADER_LONG.format(rows=HEADER_SEARCH_ROWS))
        raise FileRefused(MAPPING_NO_HEADER.format(column=wanted, rows=HEADER_SEARCH_ROWS))

    def _column(self, header: Row, name: str) -> int:
        index = _find(header.cells, name)
        if index is None:
            found = ", ".join(f"“{c}”" for c in header.cells if c.strip())
            found = found or pgettext("no columns found", "none")
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
                    ngettext(
                        # English keeps “column(s)” whatever the count
                        "{count} year column(s) outside {first}–{last} ({years}) are not read",
                        "{count} year column(s) outside {first}–{last} ({years}) are not read",
                        len(outside),
                    ).format(
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
                )
                if record is not None:
                    yield record

    def _record(
        self, row, column, country_text, indicator_text, year_text, value_text, source
    ) -> Record | None:
        report, ref = self.report, self.reference
        country_text = country_text.strip()
        if is_aggregate(country_text):
            report.skipped_values += 1
            if len(report.skipped) < SHOWN and not any(s.row == row for s in report.skipped[-1:]):
                report.skipped.append(
                    Problem(row, "", "aggregate", SKIPPED_AGGREGATE.format(text=repr(country_text)))
                )
            return None
        country, by_name = ref.matcher.match(country_text)
        if country is None:
            quoted = repr(country_text)
            if not country_text:
                report.error(row, column, UNKNOWN_COUNTRY, text=quoted)
            elif (guess := ref.matcher.suggest(country_text)) is not None:
                said, words = UNKNOWN_COUNTRY_GUESS, {"iso3": guess.iso3, "name": guess.name}
                report.error(row, column, UNKNOWN_COUNTRY, said, text=quoted, **words)
            else:
                report.error(row, column, UNKNOWN_COUNTRY, UNKNOWN_COUNTRY_HELP, text=quoted)
            return None
        if by_name and country_text not in report.matches:
            report.matches[country_text] = f"{country.iso3} {country.name}"
        code = str(self.mapping.indicator_codes.get(indicator_text.strip(), indicator_text))
        rule = ref.indicators.get(code.strip())
        if rule is None:
            quoted = repr(indicator_text.strip())
            guess = _indicator_guess(code, self.codes)
            said = UNKNOWN_INDICATOR_GUESS if guess else None
            report.error(row, column, UNKNOWN_INDICATOR, said, text=quoted, code=guess)
            return None
        # the year, the value and the source are judged apart: every problem of a row is told
        errors = report.error_count
        year = _year(year_text)
        if year is None or not FIRST_YEAR <= year <= ref.last_year:
            said = None if year is None else YEAR_OUTSIDE
            quoted = repr(year_text.strip())
            report.error(
                row, column, BAD_YEAR, said, text=quoted, first=FIRST_YEAR, last=ref.last_year
            )
        value = self._value(row, column, value_text, rule)
        url, note, problem, quoted = _citation(source)
        if problem:
            report.error(row, column, BAD_SOURCE, SOURCE_MESSAGES[problem], text=quoted)
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
            report.error(row, column, NOT_A_NUMBER, text=repr(text[:60]))
            return None
        if not math.isfinite(value):
            report.error(row, column, NOT_FINITE, text=repr(text))
            return None
        if (rule.minimum is not None and value < rule.minimum) or (
            rule.maximum is not None and value > rule.maximum
        ):
            report.error(
                row,
                column,
                OUT_OF_RANGE,
                value=f"{value:g}",
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
def _citation(source: str) -> tuple[str, str, str, str]:
    """(url, note, problem, quoted) of a source: the problem is a key of SOURCE_MESSAGES and
    `quoted` the text its message shows. A file repeats a handful of sources many times.
    Never words here: the cache outlives the language of one request."""
    url, note = split_source(source)
    problem = source_problem(url)
    quoted = repr(url[:80])
    if problem and url and not url.lower().startswith(("http://", "https://")):
        problem, quoted = "not_url", repr(source.strip()[:80])
    return url, note, problem, quoted


# --- the whole file ----------------------------------------------------------------------
