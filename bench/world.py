"""A synthetic world of countries, indicators and yearly observations, with realistic gaps.

Seeded, so every run measures the same data. Some country/indicator pairs have no data at all
and some series stop early, so the latest year differs between countries and missing values
stay missing through the whole computation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from countries.index.engine import Observation

N_COUNTRIES, N_INDICATORS, N_YEARS = 250, 100, 20
FIRST_YEAR = 2006
REFERENCE_YEAR = FIRST_YEAR + N_YEARS - 1
MISSING_PAIRS = 0.04  # share of country/indicator pairs with no observation at all
STOPPED_EARLY = 0.15  # share of the remaining pairs whose series ends before the last year
SEED = 20260101


@dataclass(frozen=True)
class World:
    countries: list[str]
    codes: list[str]
    dimensions: dict[str, list[str]]  # dimension -> indicator codes
    weights: dict[str, float]
    directions: dict[str, str]
    index_weights: dict[str, float]
    # one entry per observation: country index, indicator index, year, value
    country: np.ndarray
    indicator: np.ndarray
    year: np.ndarray
    value: np.ndarray

    def observations(self) -> list[Observation]:
        countries, codes = self.countries, self.codes
        return [
            Observation(countries[c], codes[k], y, v)
            for c, k, y, v in zip(
                self.country.tolist(),
                self.indicator.tolist(),
                self.year.tolist(),
                self.value.tolist(),
                strict=True,
            )
        ]

    def definition(self, *, slug: str = "bench", version: str = "1.0", draws: int = 1000) -> dict:
        """The methodology as plain data: min-max, latest year, weighted arithmetic means."""

        def group(codes: list[str]) -> dict:
            return {
                "aggregation": "arithmetic",
                "min_coverage": 0.5,
                "indicators": [
                    {
                        "code": code,
                        "weight": self.weights[code],
                        "direction": self.directions[code],
                        "normalisation": "minmax",
                        "year": {"policy": "latest"},
                    }
                    for code in codes
                ],
            }

        return {
            "slug": slug,
            "version": version,
            "title": "Benchmark methodology",
            "reference_year": REFERENCE_YEAR,
            "dimensions": {name: group(codes) for name, codes in self.dimensions.items()},
            "index": {
                "weights": dict(self.index_weights),
                "bridger_min": 10,
                "divider_max": -10,
            },
            "sensitivity": {"perturbation": 0.25, "draws": draws, "seed": 7},
        }


def world_make(countries: list[str] | None = None, seed: int = SEED) -> World:
    """250 countries x 100 indicators x 20 years (fewer rows where data is missing)."""
    rng = np.random.default_rng(seed)
    countries = sorted(countries or [f"C{i:03d}" for i in range(N_COUNTRIES)])
    codes = [f"b{k:03d}" for k in range(N_INDICATORS)]
    n_c, n_k = len(countries), len(codes)
    split = [0, 34, 67, n_k]
    dimensions = {
        name: codes[split[d] : split[d + 1]]
        for d, name in enumerate(("capability", "solidarity", "burden"))
    }
    weights = {code: float(rng.integers(1, 4)) for code in codes}
    directions = {
        code: "higher_is_less" if k % 5 == 4 else "higher_is_more" for k, code in enumerate(codes)
    }

    # last year of each pair's series; -1 = no data for the pair
    last = np.full((n_c, n_k), N_YEARS - 1)
    stopped = rng.random((n_c, n_k)) < STOPPED_EARLY
    last[stopped] = rng.integers(N_YEARS // 2, N_YEARS - 1, stopped.sum())
    last[rng.random((n_c, n_k)) < MISSING_PAIRS] = -1
    c, k, t = np.meshgrid(np.arange(n_c), np.arange(n_k), np.arange(N_YEARS), indexing="ij")
    keep = t <= last[:, :, None]
    scale = np.exp(rng.normal(0, 2, n_k))  # indicators on very different scales
    values = rng.gamma(2.0, 1.0, (n_c, n_k, N_YEARS)) * scale[None, :, None]
    order = rng.permutation(int(keep.sum()))  # rows arrive in no particular order
    return World(
        countries=countries,
        codes=codes,
        dimensions=dimensions,
        weights=weights,
        directions=directions,
        index_weights={"capability": -0.5, "solidarity": 1.0, "burden": -0.5},
        country=c[keep][order],
        indicator=k[keep][order],
        year=(t[keep] + FIRST_YEAR)[order],
        value=values[keep][order],
    )
