"""The methodology definition: parsed from plain data (YAML/JSON) into frozen dataclasses.

Every problem is reported with its location (`groups.solidarity.indicators[2].weight: ...`),
all at once, so an editor can fix a file in one pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

TRANSFORMS = ("none", "log", "sqrt")
NORMALISATIONS = ("minmax", "goalposts", "zscore", "percentile")
AGGREGATIONS = ("arithmetic", "geometric")
DIRECTIONS = ("higher_is_more", "higher_is_less")
YEAR_POLICIES = ("latest", "fixed")
IMPUTATIONS = ("none", "region_mean")
DIMENSIONS = ("capability", "solidarity", "burden")


class MethodologyError(ValueError):
    """The definition is invalid; `errors` holds one located message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    weight: float
    direction: str = "higher_is_more"
    transform: str = "none"
    cap: tuple[float | None, float | None] = (None, None)
    normalisation: str = "minmax"
    goalposts: tuple[float, float] | None = None
    year_policy: str = "latest"
    year_window: tuple[int, int] | None = None
    fixed_year: int | None = None
    per_capita: str | None = None  # code of the denominator indicator, e.g. population
    per_capita_scale: float = 1.0


@dataclass(frozen=True)
class GroupSpec:
    name: str
    weight: float
    aggregation: str = "arithmetic"
    min_coverage: float = 0.5
    indicators: tuple[IndicatorSpec, ...] = ()
    groups: tuple[GroupSpec, ...] = ()

    def leaves(self) -> list[IndicatorSpec]:
        found = list(self.indicators)
        for child in self.groups:
            found += child.leaves()
        return found


@dataclass(frozen=True)
class Methodology:
    slug: str
    version: str
    title: str
    dimensions: dict[str, GroupSpec]
    index_weights: dict[str, float]
    bridger_min: float
    divider_max: float
    concentration_top_n: int = 15
    imputation: str = "none"
    geometric_floor: float = 1.0
    sensitivity_perturbation: float = 0.25
    sensitivity_draws: int = 1000
    sensitivity_seed: int = 0
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def indicators(self) -> list[IndicatorSpec]:
        return [leaf for name in DIMENSIONS for leaf in self.dimensions[name].leaves()]


class _Reader:
    """Collects located errors while reading nested plain data."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def number(self, data: dict, key: str, where: str, default: float | None = None) -> float:
        value = data.get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.fail(f"{where}.{key}", f"must be a number, not {value!r}")
            return 0.0 if default is None else float(default)
        return float(value)

    def choice(self, data: dict, key: str, where: str, options: tuple, default: str) -> str:
        value = data.get(key, default)
        if value not in options:
            self.fail(f"{where}.{key}", f"must be one of {', '.join(options)}, not {value!r}")
            return default
        return value

    def pair(self, data: dict, key: str, where: str) -> tuple[float, float] | None:
        value = data.get(key)
        if value is None:
            return None
        ok = isinstance(value, list | tuple) and len(value) == 2
        if not ok or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            self.fail(f"{where}.{key}", f"must be a pair [low, high] of numbers, not {value!r}")
            return None
        if value[0] >= value[1]:
            self.fail(f"{where}.{key}", f"low {value[0]} must be below high {value[1]}")
        return (float(value[0]), float(value[1]))


def _indicator(r: _Reader, data: Any, where: str) -> IndicatorSpec | None:
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        r.fail(where, "an indicator needs a `code` (text)")
        return None
    where = f"{where}({data['code']})"
    weight = r.number(data, "weight", where)
    if weight <= 0:
        r.fail(f"{where}.weight", "must be positive")
    normalisation = r.choice(data, "normalisation", where, NORMALISATIONS, "minmax")
    goalposts = r.pair(data, "goalposts", where)
    if normalisation == "goalposts" and goalposts is None:
        r.fail(f"{where}.goalposts", "is required by the goalposts normalisation")
    year = data.get("year", {"policy": "latest"})
    policy = r.choice(year, "policy", f"{where}.year", YEAR_POLICIES, "latest")
    window = r.pair(year, "window", f"{where}.year")
    fixed = year.get("year")
    if policy == "fixed" and not isinstance(fixed, int):
        r.fail(f"{where}.year.year", "a fixed year policy needs a whole `year`")
    cap = data.get("cap", {})
    per_capita = data.get("per_capita")
    return IndicatorSpec(
        code=data["code"],
        weight=weight,
        direction=r.choice(data, "direction", where, DIRECTIONS, "higher_is_more"),
        transform=r.choice(data, "transform", where, TRANSFORMS, "none"),
        cap=(cap.get("min"), cap.get("max")),
        normalisation=normalisation,
        goalposts=goalposts,
        year_policy=policy,
        year_window=(int(window[0]), int(window[1])) if window else None,
        fixed_year=fixed if policy == "fixed" else None,
        per_capita=per_capita.get("denominator") if isinstance(per_capita, dict) else None,
        per_capita_scale=(
            r.number(per_capita, "scale", f"{where}.per_capita", 1.0)
            if isinstance(per_capita, dict)
            else 1.0
        ),
    )


def _group(r: _Reader, name: str, data: Any, where: str) -> GroupSpec:
    if not isinstance(data, dict):
        r.fail(where, "a group must be a mapping")
        return GroupSpec(name=name, weight=1.0)
    indicators = [
        spec
        for i, item in enumerate(data.get("indicators", []))
        if (spec := _indicator(r, item, f"{where}.indicators[{i}]")) is not None
    ]
    groups = [
        _group(r, str(item.get("name", f"#{i}")), item, f"{where}.groups[{i}]")
        for i, item in enumerate(data.get("groups", []))
        if isinstance(item, dict)
    ]
    if not indicators and not groups:
        r.fail(where, "a group needs at least one indicator or sub-group")
    if indicators and groups:
        r.fail(where, "a group holds either indicators or sub-groups, not both")
    coverage = r.number(data, "min_coverage", where, 0.5)
    if not 0 < coverage <= 1:
        r.fail(f"{where}.min_coverage", "must be a share of the weight in (0, 1]")
    return GroupSpec(
        name=name,
        weight=r.number(data, "weight", where, 1.0),
        aggregation=r.choice(data, "aggregation", where, AGGREGATIONS, "arithmetic"),
        min_coverage=coverage,
        indicators=tuple(indicators),
        groups=tuple(groups),
    )


def methodology_parse(data: Any) -> Methodology:
    """Validate plain data (from YAML or JSON) and return the Methodology, or raise."""
    r = _Reader()
    if not isinstance(data, dict):
        raise MethodologyError(["(top level): a methodology must be a mapping"])
    for key in ("slug", "version", "title"):
        if not isinstance(data.get(key), str) or not data.get(key):
            r.fail(key, "is required (text)")
    dims = data.get("dimensions", {})
    dimensions = {}
    for name in DIMENSIONS:
        if name not in dims:
            r.fail(f"dimensions.{name}", "is missing")
            continue
        dimensions[name] = _group(r, name, dims[name], f"dimensions.{name}")
    index = data.get("index", {})
    weights = index.get("weights", {})
    index_weights = {name: r.number(weights, name, "index.weights", None) for name in DIMENSIONS}
    bridger = r.number(index, "bridger_min", "index")
    divider = r.number(index, "divider_max", "index")
    if bridger <= divider:
        r.fail("index.bridger_min", f"must be above index.divider_max ({divider})")
    sensitivity = data.get("sensitivity", {})
    perturbation = r.number(sensitivity, "perturbation", "sensitivity", 0.25)
    if not 0 <= perturbation < 1:
        r.fail("sensitivity.perturbation", "must be a share in [0, 1)")
    codes = [leaf.code for group in dimensions.values() for leaf in group.leaves()]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        r.fail("dimensions", f"indicator {code} is used more than once")
    if r.errors:
        raise MethodologyError(r.errors)
    return Methodology(
        slug=data["slug"],
        version=data["version"],
        title=data["title"],
        dimensions=dimensions,
        index_weights=index_weights,
        bridger_min=bridger,
        divider_max=divider,
        concentration_top_n=int(index.get("concentration_top_n", 15)),
        imputation=r.choice(data, "imputation", "", IMPUTATIONS, "none"),
        geometric_floor=float(data.get("geometric_floor", 1.0)),
        sensitivity_perturbation=perturbation,
        sensitivity_draws=int(sensitivity.get("draws", 1000)),
        sensitivity_seed=int(sensitivity.get("seed", 0)),
        raw=data,
    )
