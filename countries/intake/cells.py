"""A file judged as a whole: duplicates, what it adds, changes and keeps, and what looks
suspicious, computed over its values by cell (country × indicator × year).

A file is read in two passes over the same bytes: `check()` validates every row and keeps its
values by cell, then `records()` reads the file again and yields what to write. Memory is
bounded by the countries, the file's indicators and the years, not by the number of rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext, gettext_noop, ngettext

from countries.intake.files import rows
from countries.intake.reference import Existing, IndicatorRule, Reference
from countries.intake.rules import (
    DUPLICATE,
    FIRST_YEAR,
    SHOWN,
    Change,
    Flag,
    Mapping,
    Reader,
    Record,
    Report,
)

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
        self._names: dict[int, str] = {}

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
        if len(self._names) != len(self.labels):  # labels only grow while the file is read
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
    # each flagged cell's reasons but the one that it replaces the release's value: what an
    # editor typing over a value is still told (the replacement is their own correction)
    unrevised: dict[tuple[int, int, int], str] = field(default_factory=dict)

    def decision(self, record: Record) -> tuple[int, str] | None:
        """(action, flag) for a record; None for a second value of a cell already given."""
        cell = self.cells.cell(record)
        if self.cells.rows[cell[0]][cell[1:]] != record.row:
            return None
        return int(self.actions[cell]), self.flags.get(cell, "")


def _stream(content: bytes, mapping: Mapping, reference: Reference, report: Report, progress):
    fmt, stream = rows(content, sheet=mapping.sheet)
    report.format, report.layout = fmt, mapping.layout
    reader = Reader(mapping, reference, report)
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

    reasons, revisions = _suspicious(cells, values, old, present, found & ~same)
    # a value the release already holds as it is was reviewed before: not flagged again
    flagged = [*reasons, *(cell for cell in revisions if cell not in reasons)]
    flags = {
        cell: "; ".join([*reasons.get(cell, []), *revisions.get(cell, [])])
        for cell in flagged
        if not same[cell]
    }
    unrevised = {cell: "; ".join(told) for cell, told in reasons.items() if not same[cell]}
    report.flag_count = len(flags)
    for cell in sorted(flags, key=lambda cell: (rows_[cell], columns[cell]))[:SHOWN]:
        report.flags.append(Flag(*where(cell), float(values[cell]), flags[cell]))
    return Assessment(report, cells, actions, flags, unrevised)


# why a value is flagged, in the words of whoever sends the file
JUMP = gettext_noop(
    "{share} from {year} ({before} → {after}); this indicator flags changes over {limit}"
)
REVISED = gettext_noop("replaces {old} with {new} ({share})")


def _far(z: float, count: int, log_scale: bool) -> str:
    if log_scale:
        said = ngettext(
            "{z} standard deviations from the {count} country's values that year on a log scale",
            "{z} standard deviations from the {count} countries' values that year on a log scale",
            count,
        )
    else:
        said = ngettext(
            "{z} standard deviations from the {count} country's values that year",
            "{z} standard deviations from the {count} countries' values that year",
            count,
        )
    return said.format(z=f"{z:.1f}", count=count)


def _suspicious(
    cells: Cells, values, old, present, changed
) -> tuple[dict[tuple, list[str]], dict[tuple, list[str]]]:
    """Values a reviewer should look at: far from the cross-country distribution, or a large
    change from the country's previous value; and, apart, values that replace the release's
    by more than the indicator allows. They never block an import."""
    flags: dict[tuple, list[str]] = {}
    revisions: dict[tuple, list[str]] = {}
    if not present.any():
        return flags, revisions
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
        flags[cell] = [_far(z[cell], int(counts[cell]), cells.rules[cell[0]].log_scale)]

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
        jumped, replaced = gettext(JUMP), gettext(REVISED)  # once, not once a value
        for cell in map(tuple, np.argwhere(jump)):
            reason = jumped.format(
                share=f"{share[cell]:+.0%}",
                year=cells.first_year + int(before_year[cell]),
                before=f"{before[cell]:g}",
                after=f"{combined[cell]:g}",
                limit=f"{cells.rules[cell[0]].max_change:.0%}",
            )
            flags.setdefault(cell, []).append(reason)
        for cell in map(tuple, np.argwhere(changed & (np.abs(revised) > limits))):
            reason = replaced.format(
                old=f"{old[cell]:g}", new=f"{values[cell]:g}", share=f"{revised[cell]:+.0%}"
            )
            revisions.setdefault(cell, []).append(reason)
    return flags, revisions


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
