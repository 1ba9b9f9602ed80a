"""What-if variants of a published methodology: a changed weighting scored on the very inputs of
a published score set, by the same engine, and never stored as a score set.

A variant is described by a *state*: a few named changes to the base definition, which is also
what the explorer's shareable URL carries (only what differs from the base):

    d.<dimension>=<number>     a dimension's weight at the top level
    w.<CODE>=<number>          an indicator's weight within its group (> 0)
    off=<CODE>                 an indicator switched off (repeatable)
    n.<CODE>=<normalisation>   minmax, zscore, percentile, or goalposts where it has goalposts
    g.<path>=<aggregation>     a group's mean, arithmetic or geometric; path as
                               "capability" or "capability.<sub-group name>"
    bridger=<number>, divider=<number>   the classification thresholds

`variant_definition()` turns (base definition, state) into a definition the validator accepts,
`variant_state()` gives the shortest state back from a variant (its canonical URL);
`variant_score()` scores it on a score set's inputs document; `rank_shifts()` sets it beside the
published ranking. The explorer and the public consultation both use these, so a proposal's
stored shifts are exactly what the explorer showed, and reproducible from its definition.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from countries.index.bundle import inputs_observations
from countries.index.digest import canonical_json, sha256_hex
from countries.index.engine import Result, compute
from countries.index.messages import Message, gettext_noop
from countries.index.methodology import AGGREGATIONS, DIMENSIONS, NORMALISATIONS, MethodologyError
from countries.index.reading import methodology_parse

PRECISION = 9  # decimals kept, as in the published outputs
WEIGHT_LIMIT = 1000.0  # far beyond any sensible weight; keeps the numbers finite
CODE = re.compile(r"[A-Za-z0-9_.-]{1,60}")
VARIANT_SUFFIX = "-variant"


class VariantError(ValueError):
    """The state cannot be applied to the base; `errors` says why, one message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def definition_digest(definition: dict) -> str:
    return sha256_hex(canonical_json(definition))


def _number(text: str, what: Message, errors: list[str]) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        errors.append(
            Message(gettext_noop("“%(text)s” is not a number."), {"text": str(text)[:40]}, what)
        )
        return None
    if not -WEIGHT_LIMIT <= value <= WEIGHT_LIMIT:
        errors.append(
            Message(
                gettext_noop("%(value)s is outside ±%(limit)s."),
                {"value": f"{value:g}", "limit": f"{WEIGHT_LIMIT:g}"},
                what,
            )
        )
        return None
    return value


def _weight_of(name: str) -> Message:
    return Message(gettext_noop("The weight of %(name)s"), {"name": name})


def _no_indicator(key: str, code: str) -> Message:
    return Message(gettext_noop("there is no indicator “%(code)s”."), {"code": code[:60]}, key)


def _not_one_of(key: str, value: str, options: tuple[str, ...]) -> Message:
    return Message(
        gettext_noop("“%(value)s” is not one of %(options)s."),
        {"value": value[:40], "options": ", ".join(options)},
        key,
    )


def _indicators(group: dict) -> Iterable[dict]:
    yield from group.get("indicators", [])
    for child in group.get("groups", []):
        yield from _indicators(child)


def _groups(name: str, group: dict) -> Iterable[tuple[str, dict]]:
    yield name, group
    for child in group.get("groups", []):
        yield from _groups(f"{name}.{child.get('name', '?')}", child)


def _items(state: Mapping) -> list[tuple[str, str]]:
    """(key, value) pairs of a QueryDict, a dict of lists, a plain dict or a list of pairs
    (the URL's query as parsed), in order."""
    if isinstance(state, list | tuple):
        return [(str(key), str(value)) for key, value in state]
    if hasattr(state, "lists"):
        return [(key, value) for key, values in state.lists() for value in values]
    pairs = []
    for key, value in state.items():
        for one in value if isinstance(value, list | tuple) else [value]:
            pairs.append((key, str(one)))
    return pairs


def _prune(group: dict) -> bool:
    """Drop emptied sub-groups; True when the group still holds something."""
    if "groups" in group:
        group["groups"] = [child for child in group["groups"] if _prune(child)]
        return bool(group["groups"])
    return bool(group.get("indicators"))


def variant_definition(base: dict, state: Mapping | Iterable[tuple[str, str]]) -> dict:
    """The base definition with the state's changes, checked by the methodology validator.

    Raises VariantError naming every problem (unknown keys or codes, bad numbers, a dimension
    left with no indicator, or what the validator says of the result).
    """
    definition = copy.deepcopy(base)
    errors: list[str] = []
    dimensions = definition.get("dimensions", {})
    indicators = {
        spec["code"]: spec for group in dimensions.values() for spec in _indicators(group)
    }
    groups = {path: group for name, top in dimensions.items() for path, group in _groups(name, top)}
    index = definition.setdefault("index", {})
    switched_off: set[str] = set()
    changed = False
    for key, value in _items(state):
        prefix, _, name = key.partition(".")
        if key in ("bridger", "divider"):
            what = (
                gettext_noop("The bridger threshold")
                if key == "bridger"
                else gettext_noop("The divider threshold")
            )
            number = _number(value, Message(what), errors)
            field = "bridger_min" if key == "bridger" else "divider_max"
            if number is not None and number != index.get(field):
                index[field] = number
                changed = True
        elif key == "off":
            if value not in indicators:
                errors.append(
                    Message(
                        gettext_noop("there is no indicator “%(code)s” to switch off."),
                        {"code": value[:60]},
                        "off",
                    )
                )
            else:
                switched_off.add(value)
                changed = True
        elif prefix == "d" and name:
            if name not in dimensions:
                errors.append(
                    Message(
                        gettext_noop("there is no dimension “%(name)s”."), {"name": name[:60]}, key
                    )
                )
            elif (number := _number(value, _weight_of(name), errors)) is not None:
                weights = index.setdefault("weights", {})
                if number != weights.get(name):  # a full form repeats the base: no change
                    weights[name] = number
                    changed = True
        elif prefix == "w" and name:
            if name not in indicators:
                errors.append(_no_indicator(key, name))
            elif (number := _number(value, _weight_of(name), errors)) is not None:
                if number <= 0:
                    errors.append(
                        Message(
                            gettext_noop(
                                "The weight of %(name)s must be above 0 (switch it off instead)."
                            ),
                            {"name": name},
                        )
                    )
                elif number != indicators[name].get("weight", 1.0):
                    indicators[name]["weight"] = number
                    changed = True
        elif prefix == "n" and name:
            if name not in indicators:
                errors.append(_no_indicator(key, name))
            elif value not in NORMALISATIONS:
                errors.append(_not_one_of(key, value, NORMALISATIONS))
            elif value == "goalposts" and not indicators[name].get("goalposts"):
                errors.append(
                    Message(
                        gettext_noop("%(code)s has no goalposts: choose another normalisation."),
                        {"code": name},
                    )
                )
            elif value != indicators[name].get("normalisation", "minmax"):
                indicators[name]["normalisation"] = value
                changed = True
        elif prefix == "g" and name:
            if name not in groups:
                errors.append(
                    Message(gettext_noop("there is no group “%(path)s”."), {"path": name[:60]}, key)
                )
            elif value not in AGGREGATIONS:
                errors.append(_not_one_of(key, value, AGGREGATIONS))
            elif value != groups[name].get("aggregation", "arithmetic"):
                groups[name]["aggregation"] = value
                changed = True
        else:
            errors.append(
                Message(
                    gettext_noop("“%(key)s” is not a setting of the explorer."), {"key": key[:60]}
                )
            )
    for group in groups.values():
        if "indicators" in group:
            group["indicators"] = [
                spec for spec in group["indicators"] if spec["code"] not in switched_off
            ]
    for name, top in dimensions.items():
        if not _prune(top):
            errors.append(
                Message(
                    gettext_noop(
                        "The %(name)s dimension needs at least one indicator switched on."
                    ),
                    {"name": name},
                )
            )
    if errors:
        raise VariantError(errors)
    if changed:
        version = str(base.get("version", ""))
        definition["version"] = (
            version if version.endswith(VARIANT_SUFFIX) else version + VARIANT_SUFFIX
        )
    try:
        methodology_parse(definition)
    except MethodologyError as exc:
        raise VariantError(exc.errors) from exc
    return definition


def _text(value: float) -> str:
    """A number as the URL writes it: 2 rather than 2.0, and every digit a float needs."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _dimension_order(definition: dict) -> list[str]:
    """AIMAI's dimensions in their headline order; any other index's as stored. (A database's
    JSON keeps no key order, so the order cannot come from the stored definition.)"""
    names = list(definition.get("dimensions", {}))
    return list(DIMENSIONS) if set(names) == set(DIMENSIONS) else names


def variant_state(base: dict, definition: dict) -> list[tuple[str, str]]:
    """The shortest state that turns `base` into `definition` (a variant of it): what differs,
    in the order of the definition, so one variant has one URL whatever form produced it."""
    state: list[tuple[str, str]] = []
    order = _dimension_order(base)
    old_index, new_index = base.get("index", {}), definition.get("index", {})
    old_weights, new_weights = old_index.get("weights", {}), new_index.get("weights", {})
    for name in order:
        if name in new_weights and new_weights[name] != old_weights.get(name):
            state.append((f"d.{name}", _text(new_weights[name])))
    after = {
        spec["code"]: spec
        for group in definition.get("dimensions", {}).values()
        for spec in _indicators(group)
    }
    for name in order:
        for spec in _indicators(base["dimensions"][name]):
            code, now = spec["code"], after.get(spec["code"])
            if now is None:
                state.append(("off", code))
                continue
            if now.get("weight") != spec.get("weight"):
                state.append((f"w.{code}", _text(now["weight"])))
            if now.get("normalisation", "minmax") != spec.get("normalisation", "minmax"):
                state.append((f"n.{code}", now["normalisation"]))
    new_groups = {
        path: group
        for name, top in definition.get("dimensions", {}).items()
        for path, group in _groups(name, top)
    }
    for name in order:
        for path, group in _groups(name, base["dimensions"][name]):
            now = new_groups.get(path)
            old = group.get("aggregation", "arithmetic")
            if now is not None and now.get("aggregation", "arithmetic") != old:
                state.append((f"g.{path}", now["aggregation"]))
    for key, field in (("bridger", "bridger_min"), ("divider", "divider_max")):
        if new_index.get(field) != old_index.get(field):
            state.append((key, _text(new_index[field])))
    return state


@dataclass(frozen=True)
class Shift:
    country: str
    published_rank: int | None
    rank: int | None
    published_aimai: float | None
    aimai: float | None
    published_class: str
    classification: str

    @property
    def moved(self) -> int | None:
        """Places gained (positive) or lost; None when either rank is missing."""
        if self.published_rank is None or self.rank is None:
            return None
        return self.published_rank - self.rank

    def as_dict(self) -> dict:
        return {
            "country": self.country,
            "published_rank": self.published_rank,
            "rank": self.rank,
            "moved": self.moved,
            "published_aimai": self.published_aimai,
            "aimai": self.aimai,
            "published_class": self.published_class,
            "classification": self.classification,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, PRECISION) + 0.0


def variant_score(definition: dict, inputs: dict) -> Result:
    """The engine's result for `definition` on a score set's inputs document (same countries,
    same rows; no sensitivity draws: a variant shows scores and ranks)."""
    regions = inputs["regions"]
    return compute(
        methodology_parse(definition),
        inputs_observations(inputs),
        regions.keys(),
        regions,
        sensitivity=False,
    )


def rank_shifts(published: dict, result: Result) -> list[Shift]:
    """Every country of the variant beside its published score (the published outputs
    document), ordered by the variant's rank (unranked last, by country)."""
    before = {row["country"]: row for row in published["scores"]}
    shifts = []
    for score in result.scores:
        old = before.get(score.country, {})
        shifts.append(
            Shift(
                country=score.country,
                published_rank=old.get("rank"),
                rank=score.rank,
                published_aimai=_round(old.get("aimai")),
                aimai=_round(score.aimai),
                published_class=old.get("classification", ""),
                classification=score.classification,
            )
        )
    shifts.sort(key=lambda s: (s.rank is None, s.rank or 0, s.country))
    return shifts


def biggest_movers(shifts: list[Shift], n: int = 10) -> list[Shift]:
    moved = [s for s in shifts if s.moved]
    moved.sort(key=lambda s: (-abs(s.moved), s.country))
    return moved[:n]
