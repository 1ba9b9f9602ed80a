"""compute(): observations + methodology -> scores, ranks, classes and contributions.

Steps:
1. pick one value per country and indicator by the indicator's year policy;
2. divide by the denominator where the indicator is per capita;
3. cap and transform each indicator (the cap before the transform when written in natural
   units, `bounds_in: natural`; after it otherwise), then normalise it to 0-100 (goalposts in
   natural units transformed first) and apply its direction;
4. impute missing normalised values by region mean, if the methodology says so (marked);
5. aggregate the methodology's dimensions (any names, any depth of groups), each on 0-100;
6. the index (AIMAI, or any other) = the dimensions combined by `index.aggregation`: a signed
   weighted sum, or a weighted arithmetic or geometric mean; a dimension weighted 0 is left
   out; rank, classify, flag concentration (the top capability scores, when there is one);
7. mark where every value came from, grade each country's data confidence, score again without
   imputed values, and run the weight sensitivity analysis for rank intervals.
"""

from __future__ import annotations

import statistics
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import compress
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from countries.index.aggregate import aggregate, index_combine
from countries.index.methodology import INDEX_KEY, IndicatorSpec, Methodology
from countries.index.normalise import bound, normalise
from countries.index.sensitivity import rank_intervals

BRIDGER, NEUTRAL, DIVIDER, INSUFFICIENT = "bridger", "neutral", "divider", "insufficient_data"
# a low AIMAI named by its cause (methodologies with index.low_by_cause)
CONCENTRATION, BURDENED = "concentration", "burdened"
OBSERVED, CARRIED_FORWARD, IMPUTED = "observed", "carried_forward", "imputed"
# (grade, minimum share of the index weight observed, maximum median age of the data in years)
CONFIDENCE_GRADES = (("A", 0.9, 2), ("B", 0.75, 3), ("C", 0.5, 5))


class Observation(NamedTuple):
    """One value of one indicator for one country and year. The engine reads any
    (country, indicator, year, value) tuple, e.g. rows straight from a database query."""

    country: str
    indicator: str
    year: int
    value: float


@dataclass(frozen=True)
class CountryScore:
    """One country's scores. `aimai` is the index, whatever the index is; `capability`,
    `solidarity` and `burden` are None when the methodology has no such dimension, and
    `dimensions` holds every dimension's score by name."""

    country: str
    capability: float | None
    solidarity: float | None
    burden: float | None
    aimai: float | None
    rank: int | None
    classification: str
    coverage: float
    concentrated: bool
    # indicator -> {"status": observed | carried_forward, "year": Y} or {"status": imputed, ...}
    provenance: dict[str, dict] = field(default_factory=dict)
    observed_weight: float = 0.0  # share of the index weight resting on observed values
    median_age: float | None = None  # years between the data and the reference year
    confidence: str = "D"
    aimai_without_imputation: float | None = None
    rank_interval: tuple[int, int] | None = None  # 5th and 95th percentile under sensitivity
    median_rank: int | None = None

    @property
    def imputed(self) -> tuple[str, ...]:
        return tuple(c for c, p in self.provenance.items() if p["status"] == IMPUTED)

    @property
    def years(self) -> dict[str, int]:
        """The year of every observed value used."""
        return {c: p["year"] for c, p in self.provenance.items() if "year" in p}

    values: dict[str, float] = field(default_factory=dict)  # as selected, before any treatment
    normalised: dict[str, float] = field(default_factory=dict)  # 0-100, imputed ones included
    dimensions: dict[str, float | None] = field(default_factory=dict)  # every dimension's score


@dataclass(frozen=True)
class Result:
    scores: list[CountryScore]
    indicators: tuple[str, ...]
    # country -> dimension -> indicator -> contribution (adds up to the dimension score), for
    # every dimension with a score; "aimai" -> indicator -> contribution (adds up to the index,
    # AIMAI or any other), when there is an index
    contributions: dict[str, dict[str, dict[str, float]]]
    reference_year: int = 0

    def by_country(self) -> dict[str, CountryScore]:
        return {s.country: s for s in self.scores}


def _select(
    country: np.ndarray, year: np.ndarray, value: np.ndarray, spec: IndicatorSpec, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """(values, years) per country for one indicator under its year policy; NaN/0 if none.

    `country` (index; -1 = not scored), `year` and `value` are the indicator's rows in input
    order. The latest year counts; when a country has two rows of that year, the first does.
    """
    keep = (country >= 0) & (year > 0)
    if spec.year_policy == "fixed":
        keep &= year == spec.fixed_year
    window = spec.year_window
    if window:
        keep &= (window[0] <= year) & (year <= window[1])
    rows = np.flatnonzero(keep)
    years = np.zeros(n, dtype=int)
    np.maximum.at(years, country[rows], year[rows])
    latest = rows[year[rows] == years[country[rows]]]
    first = np.full(n, len(year))
    np.minimum.at(first, country[latest], latest)
    values = np.full(n, np.nan)
    found = first < len(year)
    values[found] = value[first[found]]
    return values, years


class _Positions(dict):
    """Position by name; -1 for a name not listed (a lookup with no default to pass: faster)."""

    def __missing__(self, key) -> int:
        return -1


def _latest(spec: IndicatorSpec) -> bool:
    return spec.year_policy == "latest" and not spec.year_window


def _latest_grid(
    country: np.ndarray, indicator: np.ndarray, year: np.ndarray, value: np.ndarray, n: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """(values, years) of every country (n) and indicator (k) at its latest year, as _select()
    picks them under that policy (the first row of the latest year); NaN/0 if none."""
    rows = np.flatnonzero((country >= 0) & (indicator >= 0) & (year > 0))
    cell = country[rows] * k + indicator[rows]
    years = np.zeros(n * k, dtype=int)
    np.maximum.at(years, cell, year[rows])
    latest = year[rows] == years[cell]
    first = np.full(n * k, len(year))
    np.minimum.at(first, cell[latest], rows[latest])
    values = np.full(n * k, np.nan)
    found = first < len(year)
    values[found] = value[first[found]]
    return values.reshape(n, k), years.reshape(n, k)


def _selected(
    methodology: Methodology, observations: Iterable[Observation], country_list: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Selected values, normalised values (countries x indicators; normalised on 0-100;
    NaN = missing) and their years.

    The rows are read into arrays once. Indicators under the latest-year policy with no window
    are picked all together on a countries x indicators grid; any other is picked from the rows
    grouped by indicator with one stable sort. Either way the cost grows with the number of
    rows, not with rows x indicators.
    """
    rows = observations if isinstance(observations, list | tuple) else list(observations)
    specs = methodology.indicators()
    wanted = methodology.codes_needed()
    code_index = _Positions((code, k) for k, code in enumerate(sorted(wanted)))
    index = _Positions((c, i) for i, c in enumerate(country_list))
    small = np.int16 if len(code_index) < np.iinfo(np.int16).max else np.intp  # radix sort
    n = len(rows)

    # columns read with map() and itemgetter: C loops, no Python-level loop per row
    def column(k: int):
        return map(itemgetter(k), rows)

    indicator = np.fromiter(map(code_index.__getitem__, column(1)), small, n)
    country = np.fromiter(map(index.__getitem__, column(0)), np.intp, n)
    year = np.fromiter(column(2), np.int64, n)
    value = np.fromiter(column(3), float, n)
    n_c = len(country_list)
    # indicators taken at their latest year with no window (the usual policy): all at once
    grid = _latest_grid(country, indicator, year, value, n_c, len(code_index))
    if not all(_latest(spec) for spec in specs):
        order = np.argsort(indicator, kind="stable")  # input order kept within an indicator
        bounds = np.searchsorted(indicator[order], np.arange(len(code_index) + 1))
        country, year, value = country[order], year[order], value[order]

    def select(code: str, spec: IndicatorSpec) -> tuple[np.ndarray, np.ndarray]:
        if _latest(spec):
            return grid[0][:, code_index[code]].copy(), grid[1][:, code_index[code]].copy()
        part = slice(bounds[code_index[code]], bounds[code_index[code] + 1])
        return _select(country[part], year[part], value[part], spec, n_c)

    selected = np.full((len(country_list), len(specs)), np.nan)
    normalised = np.full((len(country_list), len(specs)), np.nan)
    years = np.zeros((len(country_list), len(specs)), dtype=int)
    for j, spec in enumerate(specs):
        values, years[:, j] = select(spec.code, spec)
        if spec.absent == "zero" and years[:, j].any():
            # a complete list: a scored country it does not name has 0, as of the list's year
            absent = np.isnan(values)
            values[absent] = 0.0
            years[absent, j] = years[:, j].max()
        selected[:, j] = values
        if spec.per_capita:
            # the denominator follows the same year policy and window as the numerator
            base, _ = select(spec.per_capita, replace(spec, code=spec.per_capita))
            with np.errstate(divide="ignore", invalid="ignore"):
                values = np.where(base > 0, values / base * spec.per_capita_scale, np.nan)
        values = bound(values, spec)
        normalised[:, j] = normalise(values, spec)
    years[np.isnan(normalised)] = 0
    return selected, normalised, years


def _impute(normalised: np.ndarray, region_of: np.ndarray) -> np.ndarray:
    """Fill gaps with the mean of the country's region for that indicator (where it has one)."""
    filled = normalised.copy()
    for region in set(region_of) - {""}:
        members = region_of == region
        block = normalised[members]
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a region with no value at all
            means = np.nanmean(block, axis=0)
        filled[members] = np.where(np.isnan(block), means, block)
    return filled


def _score(
    methodology: Methodology,
    normalised: np.ndarray,
    columns: dict[str, int],
    observed: np.ndarray,
):
    dims = {
        name: aggregate(
            methodology.dimensions[name],
            normalised,
            columns,
            methodology.geometric_floor,
            observed,
        )
        for name in methodology.dimension_names
    }
    aimai, aimai_parts = index_combine(methodology, dims)
    return dims, aimai, aimai_parts


def _confidence(observed_share: float, median_age: float | None) -> str:
    """A-D: how much of the index weight is observed, and how old the data is."""
    if median_age is None:
        return "D"
    for grade, min_share, max_age in CONFIDENCE_GRADES:
        if observed_share >= min_share and median_age <= max_age:
            return grade
    return "D"


def compute(
    methodology: Methodology,
    observations: Iterable[Observation],
    countries: Iterable[str],
    regions: Mapping[str, str] | None = None,
    *,
    sensitivity: bool = True,
) -> Result:
    if not isinstance(observations, list | tuple):
        observations = list(observations)
    country_list = sorted(set(countries))
    specs = methodology.indicators()
    codes = tuple(spec.code for spec in specs)
    columns = {code: j for j, code in enumerate(codes)}
    reference_year = methodology.reference_year or max(
        (year for _, indicator, year, _ in observations if indicator in columns), default=0
    )

    selected, observed_values, years = _selected(methodology, observations, country_list)
    observed = ~np.isnan(observed_values)
    normalised = observed_values
    if methodology.imputation == "region_mean" and regions:
        region_of = np.array([regions.get(c, "") for c in country_list])
        normalised = _impute(observed_values, region_of)

    names = methodology.dimension_names
    dims, aimai, aimai_parts = _score(methodology, normalised, columns, observed)
    drags = _drags(methodology, dims, len(country_list))
    # capability is AIMAI's: an index without it flags no concentration
    capability = dims["capability"].score if "capability" in dims else np.full(len(aimai), np.nan)
    capability_median = float(np.nanmedian(capability)) if (~np.isnan(capability)).any() else np.nan
    without_imputation = (
        _score(methodology, observed_values, columns, observed)[1]
        if normalised is not observed_values
        else aimai
    )
    intervals = rank_intervals(methodology, normalised, columns, observed) if sensitivity else None

    ranks = _competition_ranks(aimai)
    top = np.argsort(-np.nan_to_num(capability, nan=-np.inf), kind="stable")
    n_top = min(methodology.concentration_top_n, int((~np.isnan(capability)).sum()))
    concentrated = np.zeros(len(country_list), dtype=bool)
    concentrated[top[:n_top]] = True
    shares = methodology.effective_weights()
    share_row = np.array([shares[c] for c in codes])

    # Per-country results are built from plain lists: far faster than indexing numpy arrays
    # element by element, and the numbers are the same floats.
    observed_share = (observed * share_row).sum(axis=1).tolist()
    coverage = observed.mean(axis=1).tolist() if len(specs) else [0.0] * len(country_list)
    rows_observed, rows_years = observed.tolist(), years.tolist()
    rows_selected, rows_normalised = selected.tolist(), normalised.tolist()
    dim_scores = {name: dims[name].score.tolist() for name in names}
    rows_capability = capability.tolist()
    absent = [np.nan] * len(country_list)  # a dimension the methodology does not have
    imputed_mark = {"status": IMPUTED, "method": methodology.imputation}
    # carried forward where observed before the reference year; imputed where not observed but
    # filled
    rows_carried = (observed & (years < reference_year)).tolist()
    rows_filled = (~np.isnan(normalised)).tolist()
    rows_imputed = (~observed & ~np.isnan(normalised)).tolist()
    # each dimension's contributions come from its own indicators, AIMAI's from all of them: per
    # name its codes, the rows of their contributions, and which of them the country has (a
    # value, possibly imputed, and a contribution, neither NaN). The dicts are then built with
    # _picked(): C loops over the same floats in the same order.
    explain = {}
    for name in (*names, INDEX_KEY):
        if name == INDEX_KEY:
            members, block = list(enumerate(codes)), aimai_parts
        else:
            leaves = methodology.dimensions[name].leaves()
            members, block = [(columns[leaf.code], leaf.code) for leaf in leaves], None
        cols = [j for j, _ in members]
        block = (dims[name].contributions if block is None else block)[:, cols]
        has = ~np.isnan(normalised[:, cols]) & ~np.isnan(block)
        explain[name] = (tuple(code for _, code in members), block.tolist(), has.tolist())

    scores, contributions = [], {}
    for i, country in enumerate(country_list):
        a = aimai[i]
        provenance = {}
        for code, seen, carried, imputed, year in zip(
            codes, rows_observed[i], rows_carried[i], rows_imputed[i], rows_years[i], strict=True
        ):
            if seen:
                provenance[code] = {
                    "status": CARRIED_FORWARD if carried else OBSERVED,
                    "year": year,
                }
            elif imputed:
                provenance[code] = dict(imputed_mark)
        ages = [reference_year - p["year"] for p in provenance.values() if "year" in p]
        median_age = float(statistics.median(ages)) if ages else None
        seen_row = rows_observed[i]
        scores.append(
            CountryScore(
                country=country,
                capability=_num(dim_scores.get("capability", absent)[i]),
                solidarity=_num(dim_scores.get("solidarity", absent)[i]),
                burden=_num(dim_scores.get("burden", absent)[i]),
                aimai=_num(a),
                rank=int(ranks[i]) if ranks[i] > 0 else None,
                classification=_classify(
                    a,
                    methodology,
                    drags[0][i],
                    drags[1][i],
                    rows_capability[i] >= capability_median,
                ),
                coverage=coverage[i],
                concentrated=bool(concentrated[i]),
                provenance=provenance,
                observed_weight=observed_share[i],
                median_age=median_age,
                confidence=_confidence(observed_share[i], median_age),
                aimai_without_imputation=_num(without_imputation[i]),
                rank_interval=_interval(intervals, i),
                values=_picked(codes, rows_selected[i], seen_row),
                normalised=_picked(codes, rows_normalised[i], rows_filled[i]),
                median_rank=(
                    None
                    if intervals is None or np.isnan(intervals.median[i])
                    else int(intervals.median[i])
                ),
                dimensions={name: _num(dim_scores[name][i]) for name in names},
            )
        )
        # a dimension with a score is explained even when AIMAI is missing
        explained = {
            name: _picked(keys, rows[i], has[i])
            for name, (keys, rows, has) in explain.items()
            if (name == INDEX_KEY and a == a)
            or (name != INDEX_KEY and dim_scores[name][i] == dim_scores[name][i])
        }
        if explained:
            contributions[country] = explained
    return Result(
        scores=scores,
        indicators=codes,
        contributions=contributions,
        reference_year=reference_year,
    )


def _interval(intervals, i: int) -> tuple[int, int] | None:
    if intervals is None or np.isnan(intervals.low[i]):
        return None
    return (int(intervals.low[i]), int(intervals.high[i]))


def _num(value: float) -> float | None:
    return None if value != value else float(value)  # NaN is the only value unequal to itself


def _picked(keys: tuple[str, ...], values: list[float], flags: list[bool]) -> dict[str, float]:
    """{key: value} where the flag is set, in the keys' order (C loops, no Python one)."""
    return dict(zip(compress(keys, flags), compress(values, flags), strict=True))


def _drags(methodology: Methodology, dims, n: int) -> tuple[np.ndarray, np.ndarray]:
    """AIMAI split in two: the capability and solidarity terms (capability not matched by
    sharing, when negative) and the burden term. They add up to AIMAI. Only a methodology
    that names a low AIMAI by its cause reads them (it has these dimensions and a signed sum);
    for any other they are zeros."""
    if not methodology.low_by_cause:
        return np.zeros(n), np.zeros(n)
    weights = methodology.index_weights
    sharing = weights["capability"] * dims["capability"].score
    sharing = sharing + weights["solidarity"] * dims["solidarity"].score
    if "burden" not in dims:
        return sharing, np.zeros(n)
    return sharing, weights["burden"] * dims["burden"].score


def _classify(
    aimai: float, methodology: Methodology, sharing: float, burden: float, capable: bool
) -> str:
    """Bridger, neutral or low; a low AIMAI is named by its cause when the methodology says so:
    concentration when capability not matched by sharing pulls harder than burdens and the
    country's capability is at least the median (below it there is little to concentrate),
    else burdens."""
    if np.isnan(aimai):
        return INSUFFICIENT
    if aimai >= methodology.bridger_min:
        return BRIDGER
    if aimai <= methodology.divider_max:
        if not methodology.low_by_cause:
            return DIVIDER
        return CONCENTRATION if capable and sharing <= burden else BURDENED
    return NEUTRAL


def _competition_ranks(values: np.ndarray) -> np.ndarray:
    """1 = highest; ties share a rank ("1224"); 0 where the value is missing."""
    ranks = np.zeros(values.shape, dtype=int)
    present = ~np.isnan(values)
    v = values[present]
    ranks[present] = (v[None, :] > v[:, None]).sum(axis=1) + 1
    return ranks
