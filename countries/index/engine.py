"""compute(): observations + methodology -> scores, ranks, classes and contributions.

Steps:
1. pick one value per country and indicator by the indicator's year policy;
2. divide by the denominator where the indicator is per capita;
3. transform, cap and normalise each indicator to 0-100 (direction applied);
4. impute missing normalised values by region mean, if the methodology says so (marked);
5. aggregate the three dimensions (any depth of groups), each on 0-100;
6. AIMAI = the signed weighted sum of the dimensions; rank, classify, flag concentration;
7. mark where every value came from, grade each country's data confidence, score again without
   imputed values, and run the weight sensitivity analysis for rank intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from countries.index.aggregate import aggregate
from countries.index.methodology import DIMENSIONS, IndicatorSpec, Methodology
from countries.index.normalise import cap, normalise, transform
from countries.index.sensitivity import rank_intervals

BRIDGER, NEUTRAL, DIVIDER, INSUFFICIENT = "bridger", "neutral", "divider", "insufficient_data"
OBSERVED, CARRIED_FORWARD, IMPUTED = "observed", "carried_forward", "imputed"
# (grade, minimum share of the index weight observed, maximum median age of the data in years)
CONFIDENCE_GRADES = (("A", 0.9, 2), ("B", 0.75, 3), ("C", 0.5, 5))


@dataclass(frozen=True)
class Observation:
    country: str
    indicator: str
    year: int
    value: float


@dataclass(frozen=True)
class CountryScore:
    country: str
    capability: float | None
    solidarity: float | None
    burden: float | None
    aimai: float | None
    rank: int | None
    classification: str
    coverage: float
    concentrated: bool
    imputed: tuple[str, ...]
    years: dict[str, int]
    # indicator -> {"status": observed | carried_forward, "year": Y} or {"status": imputed, ...}
    provenance: dict[str, dict] = field(default_factory=dict)
    observed_weight: float = 0.0  # share of the index weight resting on observed values
    median_age: float | None = None  # years between the data and the reference year
    confidence: str = "D"
    aimai_without_imputation: float | None = None
    rank_interval: tuple[int, int] | None = None  # 5th and 95th percentile under sensitivity
    median_rank: int | None = None
    values: dict[str, float] = field(default_factory=dict)  # as selected, before any treatment
    normalised: dict[str, float] = field(default_factory=dict)  # 0-100, imputed ones included


@dataclass(frozen=True)
class Result:
    scores: list[CountryScore]
    indicators: tuple[str, ...]
    # country -> dimension -> indicator -> contribution (adds up to the dimension score);
    # "aimai" -> indicator -> contribution to AIMAI (adds up to AIMAI)
    contributions: dict[str, dict[str, dict[str, float]]]
    reference_year: int = 0

    def by_country(self) -> dict[str, CountryScore]:
        return {s.country: s for s in self.scores}


def _select(
    rows: Iterable[Observation], spec: IndicatorSpec, countries: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """(values, years) per country for one indicator under its year policy; NaN/0 if none."""
    values = np.full(len(countries), np.nan)
    years = np.zeros(len(countries), dtype=int)
    for row in rows:
        i = countries.get(row.country)
        if i is None:
            continue
        if spec.year_policy == "fixed" and row.year != spec.fixed_year:
            continue
        window = spec.year_window
        if window and not window[0] <= row.year <= window[1]:
            continue
        if row.year > years[i]:
            values[i], years[i] = row.value, row.year
    return values, years


def _selected(
    methodology: Methodology, observations: Iterable[Observation], country_list: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Selected values, normalised values (countries x indicators; normalised on 0-100;
    NaN = missing) and their years."""
    index = {c: i for i, c in enumerate(country_list)}
    by_indicator: dict[str, list[Observation]] = {}
    for row in observations:
        by_indicator.setdefault(row.indicator, []).append(row)
    specs = methodology.indicators()
    selected = np.full((len(country_list), len(specs)), np.nan)
    normalised = np.full((len(country_list), len(specs)), np.nan)
    years = np.zeros((len(country_list), len(specs)), dtype=int)
    for j, spec in enumerate(specs):
        values, years[:, j] = _select(by_indicator.get(spec.code, []), spec, index)
        selected[:, j] = values
        if spec.per_capita:
            denominator = IndicatorSpec(code=spec.per_capita, weight=1.0)
            base, _ = _select(by_indicator.get(spec.per_capita, []), denominator, index)
            with np.errstate(divide="ignore", invalid="ignore"):
                values = np.where(base > 0, values / base * spec.per_capita_scale, np.nan)
        values = cap(transform(values, spec.transform), *spec.cap)
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


def _score(methodology: Methodology, normalised: np.ndarray, columns: dict[str, int]):
    dims = {
        name: aggregate(
            methodology.dimensions[name], normalised, columns, methodology.geometric_floor
        )
        for name in DIMENSIONS
    }
    weights = methodology.index_weights
    aimai = sum(weights[name] * dims[name].score for name in DIMENSIONS)
    aimai_parts = sum(weights[name] * dims[name].contributions for name in DIMENSIONS)
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
    observations = list(observations)
    country_list = sorted(set(countries))
    specs = methodology.indicators()
    codes = tuple(spec.code for spec in specs)
    columns = {code: j for j, code in enumerate(codes)}
    reference_year = methodology.reference_year or max(
        (row.year for row in observations if row.indicator in columns), default=0
    )

    selected, observed_values, years = _selected(methodology, observations, country_list)
    observed = ~np.isnan(observed_values)
    normalised = observed_values
    if methodology.imputation == "region_mean" and regions:
        region_of = np.array([regions.get(c, "") for c in country_list])
        normalised = _impute(observed_values, region_of)

    dims, aimai, aimai_parts = _score(methodology, normalised, columns)
    without_imputation = (
        _score(methodology, observed_values, columns)[1]
        if normalised is not observed_values
        else aimai
    )
    intervals = rank_intervals(methodology, normalised, columns) if sensitivity else None

    ranks = _competition_ranks(aimai)
    capability = dims["capability"].score
    top = np.argsort(-np.nan_to_num(capability, nan=-np.inf), kind="stable")
    n_top = min(methodology.concentration_top_n, int((~np.isnan(capability)).sum()))
    concentrated = np.zeros(len(country_list), dtype=bool)
    concentrated[top[:n_top]] = True
    shares = methodology.effective_weights()
    share_row = np.array([shares[c] for c in codes])

    scores, contributions = [], {}
    for i, country in enumerate(country_list):
        a = aimai[i]
        provenance = {}
        for j, code in enumerate(codes):
            if observed[i, j]:
                year = int(years[i, j])
                status = OBSERVED if year >= reference_year else CARRIED_FORWARD
                provenance[code] = {"status": status, "year": year}
            elif not np.isnan(normalised[i, j]):
                provenance[code] = {"status": IMPUTED, "method": methodology.imputation}
        ages = [reference_year - p["year"] for p in provenance.values() if "year" in p]
        observed_share = float(share_row[observed[i]].sum())
        median_age = float(np.median(ages)) if ages else None
        scores.append(
            CountryScore(
                country=country,
                capability=_num(dims["capability"].score[i]),
                solidarity=_num(dims["solidarity"].score[i]),
                burden=_num(dims["burden"].score[i]),
                aimai=_num(a),
                rank=int(ranks[i]) if ranks[i] > 0 else None,
                classification=_classify(a, methodology),
                coverage=float(observed[i].mean()) if len(specs) else 0.0,
                concentrated=bool(concentrated[i]),
                imputed=tuple(c for c, p in provenance.items() if p["status"] == IMPUTED),
                years={c: p["year"] for c, p in provenance.items() if "year" in p},
                provenance=provenance,
                observed_weight=observed_share,
                median_age=median_age,
                confidence=_confidence(observed_share, median_age),
                aimai_without_imputation=_num(without_imputation[i]),
                rank_interval=_interval(intervals, i),
                values={c: float(selected[i, j]) for j, c in enumerate(codes) if observed[i, j]},
                normalised={
                    c: float(normalised[i, j])
                    for j, c in enumerate(codes)
                    if not np.isnan(normalised[i, j])
                },
                median_rank=(
                    None
                    if intervals is None or np.isnan(intervals.median[i])
                    else int(intervals.median[i])
                ),
            )
        )
        if np.isnan(a):
            continue
        scored = ~np.isnan(normalised[i])
        contributions[country] = {
            name: _parts(dims[name].contributions[i], codes, scored) for name in DIMENSIONS
        }
        contributions[country]["aimai"] = _parts(aimai_parts[i], codes, scored)
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
    return None if np.isnan(value) else float(value)


def _parts(row: np.ndarray, codes: tuple[str, ...], scored: np.ndarray) -> dict[str, float]:
    """Contribution of every indicator that has a (possibly imputed) value for the country."""
    return {
        code: float(row[j]) for j, code in enumerate(codes) if scored[j] and not np.isnan(row[j])
    }


def _classify(aimai: float, methodology: Methodology) -> str:
    if np.isnan(aimai):
        return INSUFFICIENT
    if aimai >= methodology.bridger_min:
        return BRIDGER
    if aimai <= methodology.divider_max:
        return DIVIDER
    return NEUTRAL


def _competition_ranks(values: np.ndarray) -> np.ndarray:
    """1 = highest; ties share a rank ("1224"); 0 where the value is missing."""
    ranks = np.zeros(values.shape, dtype=int)
    present = ~np.isnan(values)
    v = values[present]
    ranks[present] = (v[None, :] > v[:, None]).sum(axis=1) + 1
    return ranks
