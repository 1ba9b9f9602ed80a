"""The same min-max + weighted-mean index in plain numpy: the yardstick for the engine.

It starts from the same list of Observation rows as the engine, so both pay for reading them;
it does nothing the engine's answer does not need (no provenance, contributions or ranks).
"""

from __future__ import annotations

from operator import attrgetter

import numpy as np

from bench.world import World
from countries.index.engine import Observation


def normalised_matrix(world: World, observations: list[Observation]) -> np.ndarray:
    """Countries x indicators on 0-100: latest year per pair, min-max per indicator; NaN gaps.

    The world holds one row per country, indicator and year, so the latest year is one row.
    """
    n_c, n_k = len(world.countries), len(world.codes)
    country_index = {c: i for i, c in enumerate(world.countries)}
    code_index = {k: j for j, k in enumerate(world.codes)}
    n = len(observations)

    def column(name: str, lookup=None, dtype=float) -> np.ndarray:
        items = map(attrgetter(name), observations)
        return np.fromiter(map(lookup, items) if lookup else items, dtype, n)

    cell = column("country", country_index.__getitem__, np.intp) * n_k
    cell += column("indicator", code_index.__getitem__, np.intp)
    year = column("year", dtype=np.int64)
    value = column("value")

    latest = np.zeros(n_c * n_k, dtype=np.int64)
    np.maximum.at(latest, cell, year)
    chosen = year == latest[cell]
    x = np.full(n_c * n_k, np.nan)
    x[cell[chosen]] = value[chosen]
    x = x.reshape(n_c, n_k)

    low, high = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
    span = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(span > 0, (x - low) / span * 100, 50.0)
    scaled[np.isnan(x)] = np.nan
    less = np.array([world.directions[k] == "higher_is_less" for k in world.codes])
    scaled[:, less] = 100 - scaled[:, less]
    return scaled


def aimai(world: World, normalised: np.ndarray, min_coverage: float = 0.5) -> np.ndarray:
    """Weighted arithmetic mean per dimension over present values, then the signed sum."""
    columns = {k: j for j, k in enumerate(world.codes)}
    total = np.zeros(normalised.shape[0])
    for name, codes in world.dimensions.items():
        x = normalised[:, [columns[k] for k in codes]]
        w = np.array([world.weights[k] for k in codes])
        present = ~np.isnan(x)
        present_weight = present @ w
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.nan_to_num(x) @ w / present_weight
        score[present_weight / w.sum() + 1e-12 < min_coverage] = np.nan
        total += world.index_weights[name] * score
    return total


def compute(world: World, observations: list[Observation]) -> np.ndarray:
    """AIMAI per country (in `world.countries` order)."""
    return aimai(world, normalised_matrix(world, observations))
