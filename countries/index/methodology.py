"""The methodology definition: parsed from plain data (YAML/JSON) into frozen dataclasses.

A methodology is a composite index: a tree of named dimensions, each a group of indicators or
of sub-groups, combined at the top by `index.aggregation`: AIMAI's signed weighted sum (the
default), or a weighted arithmetic or geometric mean. The dimension names are data: AIMAI's
three (capability, solidarity, burden) are the headline's, any other index names its own.

Each indicator goes through these steps, in order (engine.py runs them):
1. one value per country by the year policy;
2. divided by the denominator when per capita (times its scale);
3. `bounds_in: natural` only: `cap` clips the value in the indicator's own units;
4. the transform (log, log1p, sqrt);
5. `bounds_in: transformed` (the default): `cap` clips the transformed value;
6. normalised to 0-100; goalposts written in natural units are transformed first, so that
   income goalposts of $100 and $75,000 on a log scale are written 100 and 75000;
7. the direction (higher_is_less turns the scale round).

Every problem is reported with its location (`groups.solidarity.indicators[2].weight: ...`),
all at once, so an editor can fix a file in one pass.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TRANSFORMS = ("none", "log", "log1p", "sqrt")
NORMALISATIONS = ("minmax", "goalposts", "zscore", "percentile")
AGGREGATIONS = ("arithmetic", "geometric")
# how the dimensions combine into the index: AIMAI's signed weighted sum, or a weighted mean
INDEX_AGGREGATIONS = ("signed_sum", "arithmetic", "geometric")
# what units an indicator's `cap` and `goalposts` are written in: the indicator's own (after
# any per-capita division, before the transform) or the transformed ones
BOUNDS = ("transformed", "natural")
DIRECTIONS = ("higher_is_more", "higher_is_less")
YEAR_POLICIES = ("latest", "fixed")
IMPUTATIONS = ("none", "region_mean")
# what a scored country absent from an indicator's rows has: nothing (a gap), or 0, only for
# complete lists (every member or every item is listed) when the methodology says so
ABSENT = ("missing", "zero")
# AIMAI's headline dimensions; a methodology may name any others (Methodology.dimension_names)
DIMENSIONS = ("capability", "solidarity", "burden")
# the name of the index itself among the contributions: no dimension may take it
INDEX_KEY = "aimai"
DIMENSION_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_DRAWS = 100_000  # a million draws of 250 countries would hold gigabytes of ranks


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
    absent: str = "missing"
    bounds_in: str = "transformed"  # the units of cap and goalposts: see BOUNDS
    # the parameters of an indicator the platform computes (see computed.py), as written
    rule: dict[str, Any] | None = field(default=None, hash=False)


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
    index_aggregation: str = "signed_sum"
    concentration_top_n: int = 15
    # a low AIMAI is named by its cause: capability not matched by sharing, or burdens
    low_by_cause: bool = False
    imputation: str = "none"
    geometric_floor: float = 1.0
    sensitivity_perturbation: float = 0.25
    sensitivity_draws: int = 1000
    sensitivity_seed: int = 0
    reference_year: int | None = None
    description: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def dimension_names(self) -> tuple[str, ...]:
        """The dimensions in display order: as written, AIMAI's three in their own order."""
        return _dimension_order(self.dimensions)

    @property
    def is_aimai_shaped(self) -> bool:
        """Exactly AIMAI's three dimensions: what the platform's stored scores hold."""
        return set(self.dimensions) == set(DIMENSIONS)

    def indicators(self) -> list[IndicatorSpec]:
        return [leaf for name in self.dimension_names for leaf in self.dimensions[name].leaves()]

    def codes_needed(self) -> set[str]:
        """Every indicator the methodology reads: its own, and per-capita denominators."""
        specs = self.indicators()
        return {spec.code for spec in specs} | {
            spec.per_capita for spec in specs if spec.per_capita
        }

    def effective_weights(self) -> dict[str, float]:
        """Each indicator's share of the whole index (|index weights| split down the tree).

        The shares add up to 1. They say how much of the index an indicator carries when all
        data is present; the data-confidence grade weighs observed values by them.
        """
        total = sum(abs(w) for w in self.index_weights.values()) or 1.0
        shares: dict[str, float] = {}

        def walk(group: GroupSpec, share: float) -> None:
            children = group.indicators or group.groups
            weights = sum(child.weight for child in children)
            for child in children:
                part = share * child.weight / weights
                if isinstance(child, IndicatorSpec):
                    shares[child.code] = part
                else:
                    walk(child, part)

        for name in self.dimension_names:
            walk(self.dimensions[name], abs(self.index_weights[name]) / total)
        return shares


def _dimension_order(names) -> tuple[str, ...]:
    """AIMAI's three keep their canonical order, whatever order a file writes them in (the
    order of indicators, outputs and sensitivity draws rests on it); others keep theirs."""
    if set(names) == set(DIMENSIONS):
        return DIMENSIONS
    return tuple(names)


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class _Reader:
    """Collects located errors while reading nested plain data."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def number(self, data: dict, key: str, where: str, default: float | None = None) -> float:
        value = data.get(key, default)
        try:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and math.isfinite(float(value))
        except OverflowError:  # an integer too large for a float
            ok = False
        if not ok:
            shown = repr(value) if len(repr(value)) < 40 else repr(value)[:37] + "..."
            self.fail(_at(where, key), f"must be a finite number, not {shown}")
            return 0.0 if default is None else float(default)
        return float(value)

    def whole(self, data: dict, key: str, where: str, default: int, low: int, high: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(
                _at(where, key), f"must be a whole number from {low} to {high}, not {value!r}"
            )
            return default
        return value

    def items(self, data: dict, key: str, where: str) -> list:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.fail(_at(where, key), f"must be a list, not {value!r}")
            return []
        return value

    def choice(self, data: dict, key: str, where: str, options: tuple, default: str) -> str:
        value = data.get(key, default)
        if value not in options:
            self.fail(_at(where, key), f"must be one of {', '.join(options)}, not {value!r}")
            return default
        return value

    def mapping(self, data: dict, key: str, where: str) -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.fail(_at(where, key), f"must be a mapping, not {value!r}")
            return {}
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
    year = r.mapping(data, "year", where)
    policy = r.choice(year, "policy", f"{where}.year", YEAR_POLICIES, "latest")
    window = r.pair(year, "window", f"{where}.year")
    fixed = year.get("year")
    if policy == "fixed" and not isinstance(fixed, int):
        r.fail(f"{where}.year.year", "a fixed year policy needs a whole `year`")
    cap = r.mapping(data, "cap", where)
    for bound in ("min", "max"):
        if cap.get(bound) is not None:
            r.number(cap, bound, f"{where}.cap")
    if not r.errors and None not in (cap.get("min"), cap.get("max")):
        if cap["min"] >= cap["max"]:
            r.fail(f"{where}.cap", f"min {cap['min']} must be below max {cap['max']}")
    per_capita = data.get("per_capita")
    rule = _rule(r, data, where)
    direction = r.choice(data, "direction", where, DIRECTIONS, "higher_is_more")
    kind = r.choice(data, "transform", where, TRANSFORMS, "none")
    absent = r.choice(data, "absent", where, ABSENT, "missing")
    bounds_in = r.choice(data, "bounds_in", where, BOUNDS, "transformed")
    if bounds_in == "natural" and kind in TRANSFORM_DOMAIN:
        _natural_bounds(r, where, kind, cap, goalposts)
    return IndicatorSpec(
        code=data["code"],
        weight=weight,
        direction=direction,
        transform=kind,
        absent=absent,
        bounds_in=bounds_in,
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
        rule=rule,
    )


# the values a transform is defined for: (lowest, whether the lowest itself is allowed)
TRANSFORM_DOMAIN = {"log": (0.0, False), "log1p": (-1.0, False), "sqrt": (0.0, True)}


def _natural_bounds(r: _Reader, where: str, kind: str, cap: dict, goalposts) -> None:
    """Bounds written in natural units are transformed too: they must lie where the transform
    is defined (the log of a goalpost of 0 is undefined)."""
    lowest, included = TRANSFORM_DOMAIN[kind]
    above = f"at least {lowest:g}" if included else f"above {lowest:g}"

    def fits(value) -> bool:
        return not isinstance(value, int | float) or (
            value >= lowest if included else value > lowest
        )

    if goalposts is not None and not all(map(fits, goalposts)):
        shown = [f"{v:g}" for v in goalposts]
        r.fail(
            f"{where}.goalposts",
            f"in natural units under the {kind} transform must be {above}, "
            f"not [{', '.join(shown)}]",
        )
    for bound in ("min", "max"):
        if not fits(cap.get(bound)):
            r.fail(
                f"{where}.cap.{bound}",
                f"in natural units under the {kind} transform must be {above}, not {cap[bound]!r}",
            )


AMOUNT_SCALINGS = ("none", "log10")


def _rule(r: _Reader, data: dict, where: str) -> dict[str, Any] | None:
    """The `rule` block of a computed indicator: weights per kind and how amounts count."""
    if "rule" not in data:
        return None
    rule = r.mapping(data, "rule", where)
    where = f"{where}.rule"
    kinds = r.mapping(rule, "kind_weights", where)
    for kind in kinds:
        if r.number(kinds, kind, f"{where}.kind_weights") < 0:
            r.fail(f"{where}.kind_weights.{kind}", "must not be negative")
    if kinds and not any(isinstance(v, int | float) and v > 0 for v in kinds.values()):
        r.fail(f"{where}.kind_weights", "at least one kind needs a positive weight")
    r.choice(rule, "amount", where, AMOUNT_SCALINGS, "none")
    if rule.get("max_factor") is not None and r.number(rule, "max_factor", where) < 1:
        r.fail(f"{where}.max_factor", "must be at least 1")
    _rule_bound(r, rule, where)
    return rule


ACTIVE_DAYS_MAX = 3650


def _rule_bound(r: _Reader, rule: dict, where: str) -> None:
    """The optional bound on what compacts add: when a compact starts to count, which ones
    count, and caps in indicator points per compact and in all."""
    if "counted_after" in rule:
        after = r.mapping(rule, "counted_after", where)
        at = f"{where}.counted_after"
        for key in sorted(set(after) - {"confirmed_report", "active_days"}):
            r.fail(f"{at}.{key}", "is not a condition (confirmed_report, active_days)")
        confirmed = after.get("confirmed_report", False)
        if not isinstance(confirmed, bool):
            r.fail(f"{at}.confirmed_report", f"must be true or false, not {confirmed!r}")
        if "active_days" in after:
            r.whole(after, "active_days", at, 0, 1, ACTIVE_DAYS_MAX)
        if isinstance(rule.get("counted_after"), dict) and not (
            confirmed is True or "active_days" in after
        ):
            r.fail(at, "needs confirmed_report: true or active_days (or leave it out)")
    distinct = rule.get("distinct_organisations", False)
    if not isinstance(distinct, bool):
        r.fail(f"{where}.distinct_organisations", f"must be true or false, not {distinct!r}")
    for key in ("per_compact_max", "total_max"):
        found = len(r.errors)
        if key in rule and r.number(rule, key, where) <= 0 and len(r.errors) == found:
            r.fail(f"{where}.{key}", "must be above 0")


def _group(r: _Reader, name: str, data: Any, where: str) -> GroupSpec:
    if not isinstance(data, dict):
        r.fail(where, "a group must be a mapping")
        return GroupSpec(name=name, weight=1.0)
    indicators = [
        spec
        for i, item in enumerate(r.items(data, "indicators", where))
        if (spec := _indicator(r, item, f"{where}.indicators[{i}]")) is not None
    ]
    groups = [
        _group(r, str(item.get("name", f"#{i}")), item, f"{where}.groups[{i}]")
        for i, item in enumerate(r.items(data, "groups", where))
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
    dims = r.mapping(data, "dimensions", "")
    dimensions = {}
    for name in dims:
        if not isinstance(name, str) or not DIMENSION_NAME.match(name):
            r.fail(
                f"dimensions.{name}",
                "a dimension's name is lower-case letters, digits and _, starting with a letter",
            )
        elif name == INDEX_KEY:
            r.fail(f"dimensions.{name}", f"{INDEX_KEY} is the index itself, not a dimension")
        else:
            dimensions[name] = _group(r, name, dims[name], f"dimensions.{name}")
    index = r.mapping(data, "index", "")
    weights = r.mapping(index, "weights", "index")
    index_weights = {}
    # the weights name the dimensions: every weighted one must exist, every one be weighted
    for name in weights:
        if name not in dims:
            r.fail(f"dimensions.{name}", "is missing")
    for name in dimensions:
        if name not in weights:
            r.fail(f"index.weights.{name}", "is missing (every dimension needs an index weight)")
    for name in _dimension_order(dimensions):
        if name in weights:
            index_weights[name] = r.number(weights, name, "index.weights", None)
    if not dims and not weights:
        r.fail("dimensions", "an index needs at least one dimension")
    aggregation = r.choice(index, "aggregation", "index", INDEX_AGGREGATIONS, "signed_sum")
    if aggregation != "signed_sum":
        for name, weight in index_weights.items():
            if weight < 0:
                r.fail(
                    f"index.weights.{name}",
                    f"must not be negative under the {aggregation} mean "
                    "(only the signed_sum aggregation takes negative weights)",
                )
    bridger = r.number(index, "bridger_min", "index")
    divider = r.number(index, "divider_max", "index")
    if bridger <= divider:
        r.fail("index.bridger_min", f"must be above index.divider_max ({divider})")
    sensitivity = r.mapping(data, "sensitivity", "")
    perturbation = r.number(sensitivity, "perturbation", "sensitivity", 0.25)
    if not 0 <= perturbation < 1:
        r.fail("sensitivity.perturbation", "must be a share in [0, 1)")
    draws = r.whole(sensitivity, "draws", "sensitivity", 1000, 0, MAX_DRAWS)
    seed = r.whole(sensitivity, "seed", "sensitivity", 0, 0, 2**63 - 1)
    imputation = r.choice(data, "imputation", "", IMPUTATIONS, "none")
    floor = r.number(data, "geometric_floor", "", 1.0)
    if floor <= 0:
        r.fail("geometric_floor", "must be above 0 (the log of 0 is undefined)")
    reference_year = data.get("reference_year")
    if reference_year is not None and (
        isinstance(reference_year, bool) or not isinstance(reference_year, int)
    ):
        r.fail("reference_year", f"must be a whole year, not {reference_year!r}")
    top_n = r.whole(index, "concentration_top_n", "index", 15, 0, 10_000)
    low_by_cause = index.get("low_by_cause", False)
    if not isinstance(low_by_cause, bool):
        r.fail("index.low_by_cause", f"must be true or false, not {low_by_cause!r}")
    elif low_by_cause:
        # the cause is read from the signed terms: capability and solidarity against burden
        lacking = [name for name in ("capability", "solidarity") if name not in dims]
        if lacking:
            r.fail(
                "index.low_by_cause",
                f"needs the capability and solidarity dimensions ({' and '.join(lacking)} missing)",
            )
        if aggregation != "signed_sum":
            r.fail("index.low_by_cause", "needs index.aggregation signed_sum (its terms)")
    if index_weights and not any(index_weights.values()):
        r.fail("index.weights", "at least one dimension needs a non-zero weight")
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
        index_aggregation=aggregation,
        concentration_top_n=top_n,
        low_by_cause=low_by_cause is True,
        imputation=imputation,
        geometric_floor=floor,
        sensitivity_perturbation=perturbation,
        sensitivity_draws=draws,
        sensitivity_seed=seed,
        reference_year=reference_year,
        description=str(data.get("description", "")),
        raw=data,
    )


SCHEMA_PATH = Path(__file__).with_name("methodology.schema.json")


def methodology_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _schema_errors(data: Any) -> list[str]:
    """Structural errors against the published JSON Schema, located by path."""
    import jsonschema  # only needed to check a file an editor wrote, not to compute

    validator = jsonschema.Draft202012Validator(methodology_schema())
    found = []
    for error in validator.iter_errors(data):
        where, node = "", data
        for part in error.path:
            node = node[part]
            if isinstance(part, int):
                code = node.get("code") if isinstance(node, dict) else None
                where += f"[{part}]" + (f"({code})" if code else "")
            else:
                where += f".{part}" if where else str(part)
        message = error.message
        if error.validator == "oneOf":  # the only one: a group's indicators-or-groups rule
            message = "a group holds either `indicators` or `groups` (exactly one of them)"
        found.append((list(map(str, error.path)), f"{where or '(top level)'}: {message}"))
    found += _weight_names_errors(data)
    return [message for _, message in sorted(found, key=lambda item: item[0])]


def _weight_names_errors(data: Any) -> list[tuple[list[str], str]]:
    """What the schema cannot say: index.weights names exactly the dimensions."""
    if not isinstance(data, dict):
        return []
    dims, index = data.get("dimensions"), data.get("index")
    weights = index.get("weights") if isinstance(index, dict) else None
    if not isinstance(dims, dict) or not isinstance(weights, dict):
        return []
    missing = [
        (["index", "weights"], f"index.weights: {name!r} is a required property")
        for name in dims
        if name not in weights
    ]
    return missing + [
        (
            ["index", "weights", str(name)],
            f"index.weights.{name}: is not a dimension (dimensions: {', '.join(map(str, dims))})",
        )
        for name in weights
        if name not in dims
    ]


def methodology_load(text: str) -> Methodology:
    """Read a methodology file (YAML or JSON), check it against the schema, then parse it.

    Raises MethodologyError with every located problem found.
    """
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise MethodologyError([f"{where}: not valid YAML or JSON ({exc})"]) from exc
    errors = _schema_errors(data)
    if errors:
        raise MethodologyError(errors)
    return methodology_parse(data)


def _indicator_settings(data: dict) -> dict[str, dict]:
    found: dict[str, dict] = {}

    def walk(group: dict, path: str) -> None:
        for item in group.get("indicators", []):
            found[item["code"]] = {"group": path, **item}
        for child in group.get("groups", []):
            walk(child, f"{path}.{child.get('name', '?')}")

    dims = data.get("dimensions", {})
    for name in _dimension_order(dims):
        walk(dims.get(name, {}), name)
    return found


def _flat(data: dict, prefix: str) -> dict[str, Any]:
    """{"weights": {"burden": -1}} -> {"index.weights.burden": -1}: one line per setting."""
    found = {}
    for key, value in data.items():
        if isinstance(value, dict):
            found.update(_flat(value, f"{prefix}.{key}"))
        else:
            found[f"{prefix}.{key}"] = value
    return found


def methodology_changes(old: dict, new: dict) -> list[str]:
    """What changed between two methodology definitions, one plain sentence per change."""
    changes = []
    before, after = _indicator_settings(old), _indicator_settings(new)
    for code in sorted(after.keys() - before.keys()):
        changes.append(f"Indicator {code} added to {after[code]['group']}.")
    for code in sorted(before.keys() - after.keys()):
        changes.append(f"Indicator {code} removed from {before[code]['group']}.")
    for code in sorted(before.keys() & after.keys()):
        for key in sorted(before[code].keys() | after[code].keys()):
            if before[code].get(key) != after[code].get(key):
                changes.append(
                    f"Indicator {code}: {key} {before[code].get(key)!r} → {after[code].get(key)!r}."
                )
    for section in ("index", "sensitivity"):
        a, b = _flat(old.get(section, {}), section), _flat(new.get(section, {}), section)
        for key in sorted(a.keys() | b.keys()):
            if a.get(key) != b.get(key):
                changes.append(f"{key}: {a.get(key)!r} → {b.get(key)!r}.")
    for key in ("reference_year", "imputation", "geometric_floor"):
        if old.get(key) != new.get(key):
            changes.append(f"{key}: {old.get(key)!r} → {new.get(key)!r}.")
    old_dims, new_dims = old.get("dimensions", {}), new.get("dimensions", {})
    for name in _dimension_order(new_dims):
        if name not in old_dims:
            changes.append(f"Dimension {name} added.")
    for name in _dimension_order(old_dims):
        if name not in new_dims:
            changes.append(f"Dimension {name} removed.")
    for name in _dimension_order(old_dims):
        if name not in new_dims:
            continue
        a = {k: v for k, v in old_dims[name].items() if k != "indicators"}
        b = {k: v for k, v in new_dims[name].items() if k != "indicators"}
        for key in sorted(a.keys() | b.keys()):
            if key != "groups" and a.get(key) != b.get(key):
                changes.append(f"{name}.{key}: {a.get(key)!r} → {b.get(key)!r}.")
    return changes
