"""How robust is each rank? A seeded Monte Carlo over the methodology's weights.

Every weight (indicators, groups and the dimensions' index weights) is multiplied by a factor
drawn uniformly from [1 - p, 1 + p], where p is the methodology's `sensitivity.perturbation`;
signs never change. For each draw the whole index is recomputed from the normalised (and
imputed) values, the dimensions combined by the methodology's index aggregation (a dimension
weighted 0 stays out), and the countries are ranked; the 5th, 50th and 95th percentiles of a
country's ranks give its median rank and its 90% rank interval.

All draws of a chunk are computed at once as matrix products (countries x draws), never with a
Python loop per draw; chunks bound the memory used, whatever the number of draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from countries.index.methodology import GroupSpec, IndicatorSpec, Methodology

CHUNK = 500


@dataclass(frozen=True)
class RankIntervals:
    low: np.ndarray  # (countries,) 5th percentile of the rank; NaN when never scored
    median: np.ndarray
    high: np.ndarray  # 95th percentile


def _weight_slots(methodology: Methodology) -> tuple[list[float], dict[int, int]]:
    """A flat list of every weight in the tree, and where each node's weight sits in it."""
    base: list[float] = []
    slot: dict[int, int] = {}

    def walk(node: GroupSpec | IndicatorSpec) -> None:
        slot[id(node)] = len(base)
        base.append(node.weight)
        if isinstance(node, GroupSpec):
            for child in node.indicators or node.groups:
                walk(child)

    for name in methodology.dimension_names:
        walk(methodology.dimensions[name])
    return base, slot


def _group_draws(group, normalised, present, columns, w, slot, floor, observed):
    """(score, coverage) of `group` for every country and draw: arrays (countries, draws).

    `present`: values to average (imputed included); `observed`: values that count for the
    coverage rule, as in aggregate.py.
    """
    if group.indicators:
        idx = [columns[spec.code] for spec in group.indicators]
        weights = w[:, [slot[id(spec)] for spec in group.indicators]]  # (draws, k)
        mask = present[:, idx].astype(float)  # (countries, k)
        values = np.nan_to_num(normalised[:, idx])
        present_weight = mask @ weights.T  # (countries, draws)
        with np.errstate(divide="ignore", invalid="ignore"):
            if group.aggregation == "arithmetic":
                score = (values * mask) @ weights.T / present_weight
            else:
                logs = np.log(np.maximum(values, floor)) * mask
                score = np.exp(logs @ weights.T / present_weight)
        observed_weight = observed[:, idx].astype(float) @ weights.T
        coverage = observed_weight / weights.sum(axis=1)[None, :]
    else:
        children = [
            _group_draws(child, normalised, present, columns, w, slot, floor, observed)
            for child in group.groups
        ]
        weights = w[:, [slot[id(child)] for child in group.groups]]
        total = np.zeros(children[0][0].shape)
        present_weight = np.zeros(total.shape)
        for k, (child_score, _) in enumerate(children):
            here = ~np.isnan(child_score)
            wk = weights[:, k][None, :]
            present_weight += np.where(here, wk, 0.0)
            if group.aggregation == "arithmetic":
                total += np.where(here, wk * np.nan_to_num(child_score), 0.0)
            else:
                total += np.where(here, wk * np.log(np.maximum(child_score, floor)), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            score = total / present_weight
            if group.aggregation == "geometric":
                score = np.exp(score)
        coverage = present_weight / weights.sum(axis=1)[None, :]
    score = np.where(coverage + 1e-12 < group.min_coverage, np.nan, score)
    return score, coverage


def _ordinal_ranks(values: np.ndarray) -> np.ndarray:
    """Rank countries (rows) within each draw (column): 1 = highest; NaN stays unranked."""
    order = np.argsort(-np.nan_to_num(values, nan=-np.inf), axis=0, kind="stable")
    ranks = np.empty(values.shape)
    np.put_along_axis(ranks, order, np.arange(1, values.shape[0] + 1)[:, None], axis=0)
    return np.where(np.isnan(values), np.nan, ranks)


def rank_intervals(
    methodology: Methodology,
    normalised: np.ndarray,
    columns: dict[str, int],
    observed: np.ndarray | None = None,
) -> RankIntervals:
    """Median rank and 90% rank interval of every country under perturbed weights."""
    n_countries = normalised.shape[0]
    draws = methodology.sensitivity_draws
    if draws == 0 or n_countries == 0:
        empty = np.full(n_countries, np.nan)
        return RankIntervals(empty, empty, empty)
    base, slot = _weight_slots(methodology)
    base = np.array(base)
    names = methodology.dimension_names
    # every dimension draws its factor, a zero-weighted one too: the same draws whatever is used
    index_base = np.array([methodology.index_weights[name] for name in names])
    kind = methodology.index_aggregation
    floor = methodology.geometric_floor
    p = methodology.sensitivity_perturbation
    rng = np.random.default_rng(methodology.sensitivity_seed)
    present = ~np.isnan(normalised)
    observed = present if observed is None else observed
    ranks = np.empty((n_countries, draws))
    for start in range(0, draws, CHUNK):
        size = min(CHUNK, draws - start)
        w = base[None, :] * rng.uniform(1 - p, 1 + p, (size, base.size))
        index_w = index_base[None, :] * rng.uniform(1 - p, 1 + p, (size, index_base.size))
        aimai = np.zeros((n_countries, size))
        total = np.zeros((1, size))
        for d, name in enumerate(names):
            if index_base[d] == 0:
                continue  # left out of the index, as in the engine
            score, _ = _group_draws(
                methodology.dimensions[name],
                normalised,
                present,
                columns,
                w,
                slot,
                methodology.geometric_floor,
                observed,
            )
            if kind == "geometric":
                score = np.log(np.maximum(score, floor))  # NaN stays NaN
            aimai += index_w[:, d][None, :] * score
            total = total + index_w[:, d][None, :]
        if kind == "arithmetic":
            aimai = aimai / total
        elif kind == "geometric":
            aimai = np.exp(aimai / total)
        ranks[:, start : start + size] = _ordinal_ranks(aimai)
    scored = ~np.isnan(ranks).all(axis=1)
    low, median, high = np.full((3, n_countries), np.nan)
    if scored.any():
        low[scored], median[scored], high[scored] = np.nanquantile(
            ranks[scored], [0.05, 0.5, 0.95], axis=1, method="inverted_cdf"
        )
    return RankIntervals(low=low, median=median, high=high)
