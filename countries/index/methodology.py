"""The methodology definition: the frozen dataclasses a file is read into (reading.py).

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

methodology_changes says what changed between two definitions, one sentence per change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from countries.index.messages import Message, gettext_noop

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
        changes.append(
            Message(
                gettext_noop("Indicator %(code)s added to %(group)s."),
                {"code": code, "group": after[code]["group"]},
            )
        )
    for code in sorted(before.keys() - after.keys()):
        changes.append(
            Message(
                gettext_noop("Indicator %(code)s removed from %(group)s."),
                {"code": code, "group": before[code]["group"]},
            )
        )
    for code in sorted(before.keys() & after.keys()):
        for key in sorted(before[code].keys() | after[code].keys()):
            if before[code].get(key) != after[code].get(key):
                changes.append(
                    Message(
                        gettext_noop("Indicator %(code)s: %(setting)s %(old)s → %(new)s."),
                        {
                            "code": code,
                            "setting": key,
                            "old": repr(before[code].get(key)),
                            "new": repr(after[code].get(key)),
                        },
                    )
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
            changes.append(Message(gettext_noop("Dimension %(name)s added."), {"name": name}))
    for name in _dimension_order(old_dims):
        if name not in new_dims:
            changes.append(Message(gettext_noop("Dimension %(name)s removed."), {"name": name}))
    for name in _dimension_order(old_dims):
        if name not in new_dims:
            continue
        a = {k: v for k, v in old_dims[name].items() if k != "indicators"}
        b = {k: v for k, v in new_dims[name].items() if k != "indicators"}
        for key in sorted(a.keys() | b.keys()):
            if key != "groups" and a.get(key) != b.get(key):
                changes.append(f"{name}.{key}: {a.get(key)!r} → {b.get(key)!r}.")
    return changes
