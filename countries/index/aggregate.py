"""Groups of indicators into dimension scores, with contributions that add up exactly.

For a weighted arithmetic mean, indicator i contributes w_i x_i / sum(w present).
For a weighted geometric mean G, the contributions are shares of the log:
G * (w_i ln x_i) / sum(w_j ln x_j), which also add up to G.
The dimensions combine into the index by the methodology's `index.aggregation`
(`index_combine()`): a signed weighted sum (AIMAI's), whose contributions are each dimension's
contributions times its weight; or a weighted arithmetic or geometric mean of the dimensions,
whose contributions are each dimension's share of the mean (its log share for a geometric
one), split among the dimension's indicators in proportion to their contributions to it.
A country whose present children carry less than `min_coverage` of the group's weight gets
no score for the group (NaN, shown as "insufficient data"), never a zero. Coverage counts
observed values only: imputation fills the gaps of a group that has enough data of its own,
it never makes a score for a country that has too little.
"""

from dataclasses import dataclass

import numpy as np

from countries.index.methodology import GroupSpec, Methodology

# The decomposition above, in words, for readers of the explanations.
EXPLAIN_DECOMPOSITION = (
    "Each indicator's contribution to a dimension is its share of the dimension score: "
    "w·x / Σw for a weighted arithmetic mean; for a weighted geometric mean G, "
    "G · (w·ln x) / Σ(w·ln x), its share of the log. Contributions to AIMAI are those "
    "contributions times the dimension's index weight (a signed weighted sum, as AIMAI's). "
    "When the index is a weighted mean of its dimensions, each dimension's share of the index "
    "is w·s / Σw (arithmetic) or G · (w·ln s) / Σ(w·ln s) (geometric mean G, its share of the "
    "log), and the dimension's indicators share it in proportion to their contributions to the "
    "dimension. A dimension weighted 0 contributes nothing. Each set adds up to its score "
    "(to 9 decimal places, the precision of the published numbers)."
)


@dataclass(frozen=True)
class GroupResult:
    score: np.ndarray  # (countries,) NaN = insufficient data
    contributions: np.ndarray  # (countries, indicators of the methodology) adds up to score
    coverage: np.ndarray  # (countries,) share of the group's weight present


def _mean(values: np.ndarray, weights: np.ndarray, kind: str, floor: float):
    """Weighted mean over present columns, and each column's exact share of it."""
    present = ~np.isnan(values)
    w = np.where(present, weights, 0.0)
    total = w.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "arithmetic":
            parts = w * np.nan_to_num(values) / total[:, None]
            return parts.sum(axis=1), parts
        logs = w * np.log(np.maximum(np.nan_to_num(values, nan=floor), floor))
        log_sum = logs.sum(axis=1)
        score = np.exp(log_sum / total)
        # When the log-sum is 0 (score exactly 1) split by weight instead of by log share.
        share = np.where(
            np.abs(log_sum)[:, None] > 1e-12, logs / log_sum[:, None], w / total[:, None]
        )
        return score, score[:, None] * share


def aggregate(
    group: GroupSpec,
    normalised: np.ndarray,
    columns: dict[str, int],
    floor: float,
    observed: np.ndarray | None = None,
) -> GroupResult:
    """Score `group` for every country from `normalised` (countries x indicators, 0-100).

    `observed` marks the values that were observed rather than imputed (default: all present).
    """
    if observed is None:
        observed = ~np.isnan(normalised)
    if group.indicators:
        idx = [columns[spec.code] for spec in group.indicators]
        weights = np.array([spec.weight for spec in group.indicators])
        values = normalised[:, idx]
        score, parts = _mean(values, weights, group.aggregation, floor)
        contributions = np.zeros(normalised.shape)
        contributions[:, idx] = parts
        present = observed[:, idx]
    else:
        children = [
            aggregate(child, normalised, columns, floor, observed) for child in group.groups
        ]
        weights = np.array([child.weight for child in group.groups])
        values = np.column_stack([child.score for child in children])
        score, parts = _mean(values, weights, group.aggregation, floor)
        contributions = np.zeros(normalised.shape)
        for k, child in enumerate(children):
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(child.score > 0, parts[:, k] / child.score, 0.0)
            contributions += np.nan_to_num(child.contributions * ratio[:, None])
        present = ~np.isnan(values)
    coverage = np.where(present, weights, 0).sum(axis=1) / weights.sum()
    insufficient = coverage + 1e-12 < group.min_coverage
    score = np.where(insufficient, np.nan, score)
    contributions[insufficient] = np.nan
    return GroupResult(score=score, contributions=contributions, coverage=coverage)


def index_combine(
    methodology: Methodology, dims: dict[str, GroupResult]
) -> tuple[np.ndarray, np.ndarray]:
    """The index of every country and each indicator's contribution to it (countries x
    indicators), from the dimension results, by the methodology's `index.aggregation`.

    A dimension weighted 0 is left out: its gaps never blank the index. A country missing a
    dimension of non-zero weight has no index (NaN).
    """
    weights = methodology.index_weights
    names = [name for name in methodology.dimension_names if weights[name] != 0]
    if methodology.index_aggregation == "signed_sum":
        score = sum(weights[name] * dims[name].score for name in names)
        parts = sum(weights[name] * dims[name].contributions for name in names)
        return score, parts
    scores = np.column_stack([dims[name].score for name in names])
    w = np.array([weights[name] for name in names])
    score, shares = _mean(scores, w, methodology.index_aggregation, methodology.geometric_floor)
    missing = np.isnan(scores).any(axis=1)
    score = np.where(missing, np.nan, score)
    parts = np.zeros(dims[names[0]].contributions.shape)
    for k, name in enumerate(names):
        child = dims[name]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(child.score > 0, shares[:, k] / child.score, 0.0)
        parts += np.nan_to_num(child.contributions * ratio[:, None])
    parts[missing] = np.nan
    return score, parts
