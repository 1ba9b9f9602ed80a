"""Per-indicator steps on one column of values (one value per country; NaN = missing).

Every function keeps NaN as NaN: a missing value is never turned into a number here.
All normalisations return values on a 0-100 scale, so that arithmetic and geometric means
of them stay on that scale and contributions add up exactly.
"""

import numpy as np

from countries.index.methodology import IndicatorSpec


def transform(values: np.ndarray, kind: str) -> np.ndarray:
    """none, log (natural; values <= 0 become missing), log1p (log(1 + x), for counts that can
    be 0; values <= -1 become missing) or sqrt (negatives become missing)."""
    if kind == "none":
        return values.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "log":
            return np.where(values > 0, np.log(np.where(values > 0, values, 1.0)), np.nan)
        if kind == "log1p":
            return np.where(values > -1, np.log1p(np.where(values > -1, values, 0.0)), np.nan)
        if kind == "sqrt":
            return np.where(values >= 0, np.sqrt(np.abs(values)), np.nan)
    raise ValueError(f"unknown transform {kind!r}")


def cap(values: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    """Clip to the bounds that are given; NaN stays NaN."""
    return np.clip(values, -np.inf if low is None else low, np.inf if high is None else high)


def bound(values: np.ndarray, spec: IndicatorSpec) -> np.ndarray:
    """Transform and cap, in the order the indicator's `bounds_in` says: a cap written in
    natural units clips the value before the transform, one in transformed units after it."""
    if spec.bounds_in == "natural":
        return transform(cap(values, *spec.cap), spec.transform)
    return cap(transform(values, spec.transform), *spec.cap)


def goalposts(spec: IndicatorSpec) -> tuple[float, float]:
    """The goalposts on the scale the values are normalised on: natural-unit goalposts go
    through the indicator's transform (income 100 and 75000 under log: ln 100 and ln 75000)."""
    low, high = spec.goalposts
    if spec.bounds_in == "natural" and spec.transform != "none":
        low, high = transform(np.array([low, high]), spec.transform).tolist()
    return low, high


def normalise(values: np.ndarray, spec: IndicatorSpec) -> np.ndarray:
    """Scale to 0-100, with 100 meaning "more of the dimension" after the direction is applied."""
    present = ~np.isnan(values)
    out = np.full(values.shape, np.nan)
    if not present.any():
        return out
    v = values[present]
    if spec.normalisation == "minmax":
        low, high = v.min(), v.max()
        scaled = np.full(v.shape, 50.0) if high == low else (v - low) / (high - low) * 100
    elif spec.normalisation == "goalposts":
        low, high = goalposts(spec)
        scaled = np.clip((v - low) / (high - low), 0, 1) * 100
    elif spec.normalisation == "zscore":
        # z-scores mapped to 0-100 as 50 + 10z and clipped (a T-score), to share the scale
        sd = v.std()
        z = np.zeros(v.shape) if sd == 0 else (v - v.mean()) / sd
        scaled = np.clip(50 + 10 * z, 0, 100)
    elif spec.normalisation == "percentile":
        # mean rank among the countries with data (ties share it), scaled to 0-100
        ordered = np.sort(v)
        lower = np.searchsorted(ordered, v, side="left")
        upper = np.searchsorted(ordered, v, side="right") - 1
        ranks = (lower + upper) / 2
        scaled = np.full(v.shape, 50.0) if v.size == 1 else ranks / (v.size - 1) * 100
    else:
        raise ValueError(f"unknown normalisation {spec.normalisation!r}")
    if spec.direction == "higher_is_less":
        scaled = 100 - scaled
    out[present] = scaled
    return out
