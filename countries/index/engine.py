"""compute(): observations + methodology -> scores, ranks, classes and contributions.

Steps:
1. pick one value per country and indicator by the indicator's year policy;
2. divide by the denominator where the indicator is per capita;
3. transform, cap and normalise each indicator to 0-100 (direction applied);
4. impute missing normalised values by region mean, if the methodology says so (marked);
5. aggregate the three dimensions (any depth of groups), each on 0-100;
6. AIMAI = the signed weighted sum of the dimensions; rank, classify, flag concentration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from countries.index.aggregate import aggregate
from countries.index.methodology import DIMENSIONS, IndicatorSpec, Methodology
from countries.index.normalise import cap, normalise, transform

BRIDGER, NEUTRAL, DIVIDER, INSUFFICIENT = "bridger", "neutral", "divider", "insufficient_data"


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


@dataclass(frozen=True)
class Result:
    scores: list[CountryScore]
    indicators: tuple[str, ...]
    # country -> dimension -> indicator -> contribution (adds up to the dimension score);
    # "aimai" -> indicator -> contribution to AIMAI (adds up to AIMAI)
    contributions: dict[str, dict[str, dict[str, float]]]

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


def compute(
    methodology: Methodology,
    observations: Iterable[Observation],
    countries: Iterable[str],
    regions: Mapping[str, str] | None = None,
) -> Result:
    country_list = sorted(set(countries))
    index = {c: i for i, c in enumerate(country_list)}
    by_indicator: dict[str, list[Observation]] = {}
    for row in observations:
        by_indicator.setdefault(row.indicator, []).append(row)
    specs = methodology.indicators()
    codes = tuple(spec.code for spec in specs)
    columns = {code: j for j, code in enumerate(codes)}

    normalised = np.full((len(country_list), len(specs)), np.nan)
    years = np.zeros((len(country_list), len(specs)), dtype=int)
    for j, spec in enumerate(specs):
        values, years[:, j] = _select(by_indicator.get(spec.code, []), spec, index)
        if spec.per_capita:
            denominator = IndicatorSpec(code=spec.per_capita, weight=1.0)
            base, _ = _select(by_indicator.get(spec.per_capita, []), denominator, index)
            with np.errstate(divide="ignore", invalid="ignore"):
                values = np.where(base > 0, values / base * spec.per_capita_scale, np.nan)
        values = cap(transform(values, spec.transform), *spec.cap)
        normalised[:, j] = normalise(values, spec)

    observed = ~np.isnan(normalised)
    if methodology.imputation == "region_mean" and regions:
        region_of = np.array([regions.get(c, "") for c in country_list])
        for region in set(region_of) - {""}:
            members = region_of == region
            block = normalised[members]
            with np.errstate(invalid="ignore"):
                means = np.nanmean(np.where(np.isnan(block), np.nan, block), axis=0)
            normalised[members] = np.where(np.isnan(block), means, block)

    dims = {
        name: aggregate(
            methodology.dimensions[name], normalised, columns, methodology.geometric_floor
        )
        for name in DIMENSIONS
    }
    weights = methodology.index_weights
    aimai = sum(weights[name] * dims[name].score for name in DIMENSIONS)
    aimai_parts = sum(weights[name] * dims[name].contributions for name in DIMENSIONS)

    ranks = _competition_ranks(aimai)
    capability = dims["capability"].score
    top = np.argsort(-np.nan_to_num(capability, nan=-np.inf), kind="stable")
    n_top = min(methodology.concentration_top_n, int((~np.isnan(capability)).sum()))
    concentrated = np.zeros(len(country_list), dtype=bool)
    concentrated[top[:n_top]] = True

    scores, contributions = [], {}
    for i, country in enumerate(country_list):
        a = aimai[i]
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
                imputed=tuple(
                    c
                    for j, c in enumerate(codes)
                    if not observed[i, j] and not np.isnan(normalised[i, j])
                ),
                years={c: int(years[i, j]) for j, c in enumerate(codes) if observed[i, j]},
            )
        )
        if np.isnan(a):
            continue
        scored = ~np.isnan(normalised[i])
        contributions[country] = {
            name: _parts(dims[name].contributions[i], codes, scored) for name in DIMENSIONS
        }
        contributions[country]["aimai"] = _parts(aimai_parts[i], codes, scored)
    return Result(scores=scores, indicators=codes, contributions=contributions)


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
