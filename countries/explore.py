"""The what-if explorer: the headline methodology with a visitor's changes, scored by the engine
on the current score set's own inputs, beside the published ranking. Never stored as a score
set: a variant lives in the cache only, keyed by what decides it (the score set's digest and the
variant definition's digest), so one weighting is computed once however often it is asked for.

The page, its JSON and its methodology file (countries/explore_views.py) all read
`exploration(state)`; the state is the explorer's URL query (countries/whatif.py).
"""

from __future__ import annotations

import json
import threading
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import yaml
from django.core.cache import cache
from django.utils.translation import gettext as _

from countries.choices import Classification
from countries.index.bundle import inputs_observations
from countries.index.engine import Result, compute
from countries.index.methodology import DIMENSIONS, NORMALISATIONS, methodology_changes
from countries.index.reading import methodology_parse
from countries.models import ScoreSet
from countries.public_index import dimension_label
from countries.scoring import score_set_inputs
from countries.selectors import score_set_resolve, score_set_rows
from countries.whatif import (
    PRECISION,
    Shift,
    biggest_movers,
    definition_digest,
    rank_shifts,
    variant_definition,
    variant_state,
)

CACHE_SECONDS = 7 * 24 * 3600  # a variant of a score set never changes; this only frees room
MOVERS = 10
# the methodology file's header says it in English; a page in the reader's language
NOT_PUBLISHED = "Not published: a what-if variant computed from score set {digest}"


def not_published_label(score_set_digest: str) -> str:
    return _("Not published: a what-if variant computed from score set %(digest)s") % {
        "digest": score_set_digest[:12]
    }


@dataclass(frozen=True)
class Published:
    """What the explorer needs of one score set: immutable, so kept in the process."""

    digest: str
    inputs: dict
    outputs: dict
    observations: list
    base: dict
    base_digest: str
    names: dict[str, str]


_published: OrderedDict[str, Published] = OrderedDict()
_published_lock = threading.Lock()
PUBLISHED_KEPT = 4  # score sets kept in memory (the headline's current one is the one asked)


def published_get(digest: str) -> Published:
    """The inputs and outputs of the score set `digest`, read from the database once per
    process (the inputs are rebuilt from its frozen release, checked against their digest)."""
    with _published_lock:
        found = _published.get(digest)
        if found is not None:
            _published.move_to_end(digest)
            return found
    score_set = ScoreSet.objects.select_related("release").get(digest=digest)
    inputs = score_set_inputs(score_set)
    found = Published(
        digest=digest,
        inputs=inputs,
        outputs=score_set.outputs,
        observations=inputs_observations(inputs),
        base=inputs["methodology"],
        base_digest=definition_digest(inputs["methodology"]),
        names={row["country"]: row["name"] for row in score_set_rows(score_set)},
    )
    with _published_lock:
        _published[digest] = found
        while len(_published) > PUBLISHED_KEPT:
            _published.popitem(last=False)
    return found


def cache_key(score_set_digest: str, variant_digest: str) -> str:
    return f"explore:{score_set_digest}:{variant_digest}"


def _score(published: Published, definition: dict) -> Result:
    """The engine on the score set's own rows: `whatif.variant_score` with the rows converted
    once per process instead of once per call."""
    regions = published.inputs["regions"]
    return compute(
        methodology_parse(definition),
        published.observations,
        regions.keys(),
        regions,
        sensitivity=False,
    )


def _pack(shifts: list[Shift]) -> str:
    """The variant's own numbers, compactly (the published ones come from the score set)."""
    return json.dumps(
        [[s.country, s.rank, s.aimai, s.classification] for s in shifts], separators=(",", ":")
    )


def _unpack(text: str, published: Published) -> list[Shift]:
    before = {row["country"]: row for row in published.outputs["scores"]}
    shifts = []
    for country, rank, aimai, classification in json.loads(text):
        old = before.get(country, {})
        shifts.append(
            Shift(
                country=country,
                published_rank=old.get("rank"),
                rank=rank,
                published_aimai=(
                    None if old.get("aimai") is None else round(old["aimai"], PRECISION) + 0.0
                ),
                aimai=aimai,
                published_class=old.get("classification", ""),
                classification=classification,
            )
        )
    return shifts


@dataclass(frozen=True)
class Exploration:
    score_set: str  # the published score set's digest
    base: dict
    base_digest: str
    variant: dict
    digest: str  # of the variant definition
    state: list[tuple[str, str]]  # the shortest state giving the variant: its URL
    changes: list[str]
    shifts: list[Shift]
    movers: list[Shift]
    names: dict[str, str]
    cached: bool  # served from the cache, without running the engine

    @property
    def changed(self) -> bool:
        return self.digest != self.base_digest

    @property
    def query(self) -> str:
        return urlencode(self.state)

    @property
    def label(self) -> str:
        return not_published_label(self.score_set)

    @property
    def moved(self) -> int:
        return sum(1 for s in self.shifts if s.moved)

    def class_counts(self) -> list[tuple[str, int, int]]:
        """(class label, published count, variant count) for every class either one has."""
        before = Counter(s.published_class for s in self.shifts if s.published_class)
        after = Counter(s.classification for s in self.shifts)
        return [
            (label, before[value], after[value])
            for value, label in Classification.choices
            if before[value] or after[value]
        ]


def exploration(
    state: Mapping | list[tuple[str, str]], *, score_set_digest: str | None = None
) -> Exploration:
    """The headline methodology's current score set with `state`'s changes, or VariantError.

    The engine runs only when this (score set, variant definition) pair is not in the cache.
    """
    digest = score_set_digest or score_set_resolve().digest
    published = published_get(digest)
    variant = variant_definition(published.base, state)
    of_variant = definition_digest(variant)
    key = cache_key(digest, of_variant)
    packed = cache.get(key)
    cached = packed is not None
    if cached:
        shifts = _unpack(packed, published)
    else:
        shifts = rank_shifts(published.outputs, _score(published, variant))
        cache.set(key, _pack(shifts), CACHE_SECONDS)
    return Exploration(
        score_set=digest,
        base=published.base,
        base_digest=published.base_digest,
        variant=variant,
        digest=of_variant,
        state=variant_state(published.base, variant),
        changes=variant_changes(published.base, variant),
        shifts=shifts,
        movers=biggest_movers(shifts, MOVERS),
        names=published.names,
        cached=cached,
    )


def _group_aggregations(definition: dict) -> dict[str, str]:
    found = {}

    def walk(group: dict, path: str) -> None:
        found[path] = group.get("aggregation", "arithmetic")
        for child in group.get("groups", []):
            walk(child, f"{path}.{child.get('name', '?')}")

    for name, group in definition.get("dimensions", {}).items():
        walk(group, name)
    return found


def variant_changes(base: dict, variant: dict) -> list[str]:
    """What the variant changes, one sentence each: the methodology's own change lines, and
    a sub-group's aggregation, which those lines leave to the indicators' level."""
    changes = methodology_changes(base, variant)
    before, after = _group_aggregations(base), _group_aggregations(variant)
    for path in sorted(before.keys() & after.keys()):
        if "." in path and before[path] != after[path]:
            changes.append(f"{path}.aggregation: {before[path]!r} → {after[path]!r}.")
    return changes


def methodology_file(explored: Exploration, url: str) -> str:
    """The variant definition as a methodology file: a YAML comment header saying what it is,
    then the definition itself, which the validator accepts and whose digest is the variant's."""
    version = explored.base.get("version", "")
    header = [
        f"{NOT_PUBLISHED.format(digest=explored.score_set[:12])}.",
        f"Derived from {explored.base.get('slug', '')} {version} "
        f"({'by these changes' if explored.changes else 'unchanged'}):",
        *(f"  - {line}" for line in explored.changes),
        f"Explorer: {url}",
        f"Definition digest: {explored.digest}",
    ]
    body = yaml.safe_dump(explored.variant, sort_keys=False, allow_unicode=True, width=100)
    return "".join(f"# {line}\n" for line in header) + body


# --- the form's controls ---------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorControl:
    code: str
    name: str
    weight: str
    base_weight: str
    off: bool
    normalisation: str
    base_normalisation: str
    normalisations: tuple[str, ...]


@dataclass(frozen=True)
class GroupControl:
    path: str
    label: str
    aggregation: str
    base_aggregation: str
    indicators: list[IndicatorControl]


@dataclass(frozen=True)
class DimensionControl:
    name: str
    label: str
    weight: str
    base_weight: str
    groups: list[GroupControl]


def _number_text(value) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _last(items: list[tuple[str, str]]) -> dict[str, str]:
    return {key: value for key, value in items if key != "off"}


def controls(base: dict, items: list[tuple[str, str]], names: dict[str, str]):
    """The form's controls for every dimension, group and indicator of `base`, filled with
    the state's values where it has them (even refused ones, so a visitor sees what they
    typed) and the base's elsewhere. Returns (dimensions, bridger, divider) with each
    threshold as (value, base value)."""
    given = _last(items)
    switched_off = {value for key, value in items if key == "off"}
    index = base.get("index", {})
    dimensions = []
    for name in DIMENSIONS:
        top = base["dimensions"][name]
        groups = []

        def walk(group: dict, path: str, label: str, groups: list[GroupControl]) -> None:
            indicators = []
            for spec in group.get("indicators", []):
                code = spec["code"]
                weight = _number_text(spec["weight"])
                normalisation = spec.get("normalisation", "minmax")
                indicators.append(
                    IndicatorControl(
                        code=code,
                        name=names.get(code, code),
                        weight=given.get(f"w.{code}", weight),
                        base_weight=weight,
                        off=code in switched_off,
                        normalisation=given.get(f"n.{code}", normalisation),
                        base_normalisation=normalisation,
                        normalisations=tuple(
                            n for n in NORMALISATIONS if n != "goalposts" or spec.get("goalposts")
                        ),
                    )
                )
            aggregation = group.get("aggregation", "arithmetic")
            groups.append(
                GroupControl(
                    path=path,
                    label=label,
                    aggregation=given.get(f"g.{path}", aggregation),
                    base_aggregation=aggregation,
                    indicators=indicators,
                )
            )
            for child in group.get("groups", []):
                child_name = child.get("name", "?")
                walk(child, f"{path}.{child_name}", f"{label} › {child_name}", groups)

        walk(top, name, dimension_label(name), groups)
        weight = _number_text(index["weights"][name])
        dimensions.append(
            DimensionControl(
                name=name,
                label=dimension_label(name),
                weight=given.get(f"d.{name}", weight),
                base_weight=weight,
                groups=groups,
            )
        )
    bridger = _number_text(index["bridger_min"])
    divider = _number_text(index["divider_max"])
    thresholds = {
        "bridger": (given.get("bridger", bridger), bridger),
        "divider": (given.get("divider", divider), divider),
    }
    return dimensions, thresholds


# --- the rank-shift chart: a slope chart, drawn on the server, moved by the page's script ------

CHART_WIDTH, CHART_LEFT, CHART_RIGHT = 320, 70, 250
CHART_TOP, CHART_STEP = 40, 3  # the script (static/js/explore.js) reads both from the <svg>


@dataclass(frozen=True)
class ChartLine:
    country: str
    name: str
    y1: float
    y2: float
    kind: str  # up, down, same or none (unranked on one side: not drawn)
    title: str


def line_title(name: str, published_rank: int | None, rank: int | None) -> str:
    unranked = _("unranked")
    return _("%(name)s: published rank %(before)s, variant rank %(after)s") % {
        "name": name,
        "before": published_rank if published_rank is not None else unranked,
        "after": rank if rank is not None else unranked,
    }


def rank_chart(explored: Exploration) -> dict:
    """Published rank (left) to variant rank (right), one line per country."""

    def y(rank: int | None) -> float:
        return CHART_TOP + ((rank or 1) - 1) * CHART_STEP

    lines = []
    for s in sorted(explored.shifts, key=lambda s: s.country):
        name = explored.names.get(s.country, s.country)
        if s.moved is None:
            kind = "none"
        else:
            kind = "up" if s.moved > 0 else "down" if s.moved < 0 else "same"
        lines.append(
            ChartLine(
                s.country,
                name,
                y(s.published_rank),
                y(s.rank),
                kind,
                line_title(name, s.published_rank, s.rank),
            )
        )
    count = max(
        [s.rank or 0 for s in explored.shifts] + [s.published_rank or 0 for s in explored.shifts]
    )
    ticks = [1, *range(25, count + 1, 25)]
    return {
        "width": CHART_WIDTH,
        "height": y(count) + 20,
        "left": CHART_LEFT,
        "right": CHART_RIGHT,
        "top": CHART_TOP,
        "step": CHART_STEP,
        "bottom": y(count),
        "ticks": [(tick, y(tick)) for tick in ticks],
        "lines": lines,
    }
