"""Reading a methodology file: the JSON Schema check, then the parse into the dataclasses
of methodology.py.

Every problem is reported with its location (`groups.solidarity.indicators[2].weight: ...`),
all at once, so an editor can fix a file in one pass.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from countries.index.messages import Message, gettext_noop
from countries.index.methodology import (
    ABSENT,
    AGGREGATIONS,
    BOUNDS,
    DIMENSION_NAME,
    DIRECTIONS,
    IMPUTATIONS,
    INDEX_AGGREGATIONS,
    INDEX_KEY,
    MAX_DRAWS,
    NORMALISATIONS,
    TRANSFORMS,
    YEAR_POLICIES,
    GroupSpec,
    IndicatorSpec,
    Methodology,
    MethodologyError,
    _dimension_order,
)

# where a problem of the whole file is, in words
TOP_LEVEL = Message(gettext_noop("(top level)"))


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class _Reader:
    """Collects located errors while reading nested plain data."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, where: str, template: str, **params: object) -> None:
        self.errors.append(Message(template, params, where))

    def number(self, data: dict, key: str, where: str, default: float | None = None) -> float:
        value = data.get(key, default)
        try:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and math.isfinite(float(value))
        except OverflowError:  # an integer too large for a float
            ok = False
        if not ok:
            shown = repr(value) if len(repr(value)) < 40 else repr(value)[:37] + "..."
            self.fail(
                _at(where, key), gettext_noop("must be a finite number, not %(value)s"), value=shown
            )
            return 0.0 if default is None else float(default)
        return float(value)

    def whole(self, data: dict, key: str, where: str, default: int, low: int, high: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(
                _at(where, key),
                gettext_noop("must be a whole number from %(low)s to %(high)s, not %(value)s"),
                low=low,
                high=high,
                value=repr(value),
            )
            return default
        return value

    def items(self, data: dict, key: str, where: str) -> list:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.fail(
                _at(where, key), gettext_noop("must be a list, not %(value)s"), value=repr(value)
            )
            return []
        return value

    def choice(self, data: dict, key: str, where: str, options: tuple, default: str) -> str:
        value = data.get(key, default)
        if value not in options:
            self.fail(
                _at(where, key),
                gettext_noop("must be one of %(options)s, not %(value)s"),
                options=", ".join(options),
                value=repr(value),
            )
            return default
        return value

    def mapping(self, data: dict, key: str, where: str) -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.fail(
                _at(where, key), gettext_noop("must be a mapping, not %(value)s"), value=repr(value)
            )
            return {}
        return value

    def pair(self, data: dict, key: str, where: str) -> tuple[float, float] | None:
        value = data.get(key)
        if value is None:
            return None
        ok = isinstance(value, list | tuple) and len(value) == 2
        if not ok or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            self.fail(
                f"{where}.{key}",
                gettext_noop("must be a pair [low, high] of numbers, not %(value)s"),
                value=repr(value),
            )
            return None
        if value[0] >= value[1]:
            self.fail(
                f"{where}.{key}",
                gettext_noop("low %(low)s must be below high %(high)s"),
                low=value[0],
                high=value[1],
            )
        return (float(value[0]), float(value[1]))


def _indicator(r: _Reader, data: Any, where: str) -> IndicatorSpec | None:
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        r.fail(where, gettext_noop("an indicator needs a `code` (text)"))
        return None
    where = f"{where}({data['code']})"
    weight = r.number(data, "weight", where)
    if weight <= 0:
        r.fail(f"{where}.weight", gettext_noop("must be positive"))
    normalisation = r.choice(data, "normalisation", where, NORMALISATIONS, "minmax")
    goalposts = r.pair(data, "goalposts", where)
    if normalisation == "goalposts" and goalposts is None:
        r.fail(f"{where}.goalposts", gettext_noop("is required by the goalposts normalisation"))
    year = r.mapping(data, "year", where)
    policy = r.choice(year, "policy", f"{where}.year", YEAR_POLICIES, "latest")
    window = r.pair(year, "window", f"{where}.year")
    fixed = year.get("year")
    if policy == "fixed" and not isinstance(fixed, int):
        r.fail(f"{where}.year.year", gettext_noop("a fixed year policy needs a whole `year`"))
    cap = r.mapping(data, "cap", where)
    for bound in ("min", "max"):
        if cap.get(bound) is not None:
            r.number(cap, bound, f"{where}.cap")
    if not r.errors and None not in (cap.get("min"), cap.get("max")):
        if cap["min"] >= cap["max"]:
            r.fail(
                f"{where}.cap",
                gettext_noop("min %(min)s must be below max %(max)s"),
                min=cap["min"],
                max=cap["max"],
            )
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
    above = Message(
        gettext_noop("at least %(lowest)s") if included else gettext_noop("above %(lowest)s"),
        {"lowest": f"{lowest:g}"},
    )

    def fits(value) -> bool:
        return not isinstance(value, int | float) or (
            value >= lowest if included else value > lowest
        )

    if goalposts is not None and not all(map(fits, goalposts)):
        shown = [f"{v:g}" for v in goalposts]
        r.fail(
            f"{where}.goalposts",
            gettext_noop(
                "in natural units under the %(kind)s transform must be %(above)s, not %(value)s"
            ),
            kind=kind,
            above=above,
            value=f"[{', '.join(shown)}]",
        )
    for bound in ("min", "max"):
        if not fits(cap.get(bound)):
            r.fail(
                f"{where}.cap.{bound}",
                gettext_noop(
                    "in natural units under the %(kind)s transform must be %(above)s, not %(value)s"
                ),
                kind=kind,
                above=above,
                value=repr(cap[bound]),
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
            r.fail(f"{where}.kind_weights.{kind}", gettext_noop("must not be negative"))
    if kinds and not any(isinstance(v, int | float) and v > 0 for v in kinds.values()):
        r.fail(f"{where}.kind_weights", gettext_noop("at least one kind needs a positive weight"))
    r.choice(rule, "amount", where, AMOUNT_SCALINGS, "none")
    if rule.get("max_factor") is not None and r.number(rule, "max_factor", where) < 1:
        r.fail(f"{where}.max_factor", gettext_noop("must be at least 1"))
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
            r.fail(
                f"{at}.{key}", gettext_noop("is not a condition (confirmed_report, active_days)")
            )
        confirmed = after.get("confirmed_report", False)
        if not isinstance(confirmed, bool):
            r.fail(
                f"{at}.confirmed_report",
                gettext_noop("must be true or false, not %(value)s"),
                value=repr(confirmed),
            )
        if "active_days" in after:
            r.whole(after, "active_days", at, 0, 1, ACTIVE_DAYS_MAX)
        if isinstance(rule.get("counted_after"), dict) and not (
            confirmed is True or "active_days" in after
        ):
            r.fail(
                at, gettext_noop("needs confirmed_report: true or active_days (or leave it out)")
            )
    distinct = rule.get("distinct_organisations", False)
    if not isinstance(distinct, bool):
        r.fail(
            f"{where}.distinct_organisations",
            gettext_noop("must be true or false, not %(value)s"),
            value=repr(distinct),
        )
    for key in ("per_compact_max", "total_max"):
        found = len(r.errors)
        if key in rule and r.number(rule, key, where) <= 0 and len(r.errors) == found:
            r.fail(f"{where}.{key}", gettext_noop("must be above 0"))


def _group(r: _Reader, name: str, data: Any, where: str) -> GroupSpec:
    if not isinstance(data, dict):
        r.fail(where, gettext_noop("a group must be a mapping"))
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
        r.fail(where, gettext_noop("a group needs at least one indicator or sub-group"))
    if indicators and groups:
        r.fail(where, gettext_noop("a group holds either indicators or sub-groups, not both"))
    coverage = r.number(data, "min_coverage", where, 0.5)
    if not 0 < coverage <= 1:
        r.fail(f"{where}.min_coverage", gettext_noop("must be a share of the weight in (0, 1]"))
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
        raise MethodologyError(
            [Message(gettext_noop("a methodology must be a mapping"), where=TOP_LEVEL)]
        )
    for key in ("slug", "version", "title"):
        if not isinstance(data.get(key), str) or not data.get(key):
            r.fail(key, gettext_noop("is required (text)"))
    dims = r.mapping(data, "dimensions", "")
    dimensions = {}
    for name in dims:
        if not isinstance(name, str) or not DIMENSION_NAME.match(name):
            r.fail(
                f"dimensions.{name}",
                gettext_noop(
                    "a dimension's name is lower-case letters, digits and _, starting with a letter"
                ),
            )
        elif name == INDEX_KEY:
            r.fail(
                f"dimensions.{name}",
                gettext_noop("%(name)s is the index itself, not a dimension"),
                name=INDEX_KEY,
            )
        else:
            dimensions[name] = _group(r, name, dims[name], f"dimensions.{name}")
    index = r.mapping(data, "index", "")
    weights = r.mapping(index, "weights", "index")
    index_weights = {}
    # the weights name the dimensions: every weighted one must exist, every one be weighted
    for name in weights:
        if name not in dims:
            r.fail(f"dimensions.{name}", gettext_noop("is missing"))
    for name in dimensions:
        if name not in weights:
            r.fail(
                f"index.weights.{name}",
                gettext_noop("is missing (every dimension needs an index weight)"),
            )
    for name in _dimension_order(dimensions):
        if name in weights:
            index_weights[name] = r.number(weights, name, "index.weights", None)
    if not dims and not weights:
        r.fail("dimensions", gettext_noop("an index needs at least one dimension"))
    aggregation = r.choice(index, "aggregation", "index", INDEX_AGGREGATIONS, "signed_sum")
    if aggregation != "signed_sum":
        for name, weight in index_weights.items():
            if weight < 0:
                r.fail(
                    f"index.weights.{name}",
                    gettext_noop(
                        "must not be negative under the %(aggregation)s mean "
                        "(only the signed_sum aggregation takes negative weights)"
                    ),
                    aggregation=aggregation,
                )
    bridger = r.number(index, "bridger_min", "index")
    divider = r.number(index, "divider_max", "index")
    if bridger <= divider:
        r.fail(
            "index.bridger_min",
            gettext_noop("must be above index.divider_max (%(divider)s)"),
            divider=divider,
        )
    sensitivity = r.mapping(data, "sensitivity", "")
    perturbation = r.number(sensitivity, "perturbation", "sensitivity", 0.25)
    if not 0 <= perturbation < 1:
        r.fail("sensitivity.perturbation", gettext_noop("must be a share in [0, 1)"))
    draws = r.whole(sensitivity, "draws", "sensitivity", 1000, 0, MAX_DRAWS)
    seed = r.whole(sensitivity, "seed", "sensitivity", 0, 0, 2**63 - 1)
    imputation = r.choice(data, "imputation", "", IMPUTATIONS, "none")
    floor = r.number(data, "geometric_floor", "", 1.0)
    if floor <= 0:
        r.fail("geometric_floor", gettext_noop("must be above 0 (the log of 0 is undefined)"))
    reference_year = data.get("reference_year")
    if reference_year is not None and (
        isinstance(reference_year, bool) or not isinstance(reference_year, int)
    ):
        r.fail(
            "reference_year",
            gettext_noop("must be a whole year, not %(value)s"),
            value=repr(reference_year),
        )
    top_n = r.whole(index, "concentration_top_n", "index", 15, 0, 10_000)
    low_by_cause = index.get("low_by_cause", False)
    if not isinstance(low_by_cause, bool):
        r.fail(
            "index.low_by_cause",
            gettext_noop("must be true or false, not %(value)s"),
            value=repr(low_by_cause),
        )
    elif low_by_cause:
        # the cause is read from the signed terms: capability and solidarity against burden
        lacking = [name for name in ("capability", "solidarity") if name not in dims]
        if lacking:
            r.fail(
                "index.low_by_cause",
                gettext_noop(
                    "needs the capability and solidarity dimensions (%(lacking)s missing)"
                ),
                lacking=" and ".join(lacking),
            )
        if aggregation != "signed_sum":
            r.fail(
                "index.low_by_cause", gettext_noop("needs index.aggregation signed_sum (its terms)")
            )
    if index_weights and not any(index_weights.values()):
        r.fail("index.weights", gettext_noop("at least one dimension needs a non-zero weight"))
    codes = [leaf.code for group in dimensions.values() for leaf in group.leaves()]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        r.fail("dimensions", gettext_noop("indicator %(code)s is used more than once"), code=code)
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


def _schema_errors(data: Any) -> list[Message]:
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
        # the validator's own words are English only; the one rule it cannot word well is ours
        message = error.message
        if error.validator == "oneOf":  # the only one: a group's indicators-or-groups rule
            message = gettext_noop(
                "a group holds either `indicators` or `groups` (exactly one of them)"
            )
        found.append((list(map(str, error.path)), Message(message, where=where or TOP_LEVEL)))
    found += _weight_names_errors(data)
    return [message for _, message in sorted(found, key=lambda item: item[0])]


def _weight_names_errors(data: Any) -> list[tuple[list[str], Message]]:
    """What the schema cannot say: index.weights names exactly the dimensions."""
    if not isinstance(data, dict):
        return []
    dims, index = data.get("dimensions"), data.get("index")
    weights = index.get("weights") if isinstance(index, dict) else None
    if not isinstance(dims, dict) or not isinstance(weights, dict):
        return []
    missing = [
        (
            ["index", "weights"],
            Message(
                gettext_noop("%(name)s is a required property"),
                {"name": repr(name)},
                where="index.weights",
            ),
        )
        for name in dims
        if name not in weights
    ]
    return missing + [
        (
            ["index", "weights", str(name)],
            Message(
                gettext_noop("is not a dimension (dimensions: %(dimensions)s)"),
                {"dimensions": ", ".join(map(str, dims))},
                where=f"index.weights.{name}",
            ),
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
        where = (
            Message(
                gettext_noop("line %(line)s, column %(column)s"),
                {"line": mark.line + 1, "column": mark.column + 1},
            )
            if mark
            else Message(gettext_noop("(file)"))
        )
        raise MethodologyError(
            [
                Message(
                    gettext_noop("not valid YAML or JSON (%(error)s)"), {"error": str(exc)}, where
                )
            ]
        ) from exc
    errors = _schema_errors(data)
    if errors:
        raise MethodologyError(errors)
    return methodology_parse(data)
