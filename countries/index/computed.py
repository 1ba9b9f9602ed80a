"""Indicators the platform computes itself, behind the same interface as imported ones.

An indicator source names the imported indicators it reads (`inputs`) and turns their rows
into `Observation` rows of its own (`observations()`), exactly the rows an imported indicator
would have; the engine cannot tell them apart, and the rows go into the score set's inputs,
digest and bundle like any other.

A source's `reads` says what its rows are: "observations" (imported indicator rows) or
"commitments" (`Commitment` rows from the compacts registry, read by compacts/indicator.py).
A source whose rule is written in the methodology file takes it as `rule` (the indicator's
`rule:` block), and one that dates its rows from outside the data takes the `year` scored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from countries.index.engine import Observation
from countries.index.methodology import GroupSpec, IndicatorSpec, Methodology


@dataclass(frozen=True)
class MembershipCount:
    """How many of some complete membership lists a country is on (0 when on none).

    The lists are complete (every member is listed), so absence from one means "not a member"
    and counts 0. That is a rule about these lists, stated here and on the methodology page,
    not a default for missing data: a country with no row in a measured indicator stays missing.
    """

    code: str
    name: str
    inputs: tuple[str, ...]  # the membership lists, by indicator code
    description: str = ""
    unit: str = "lists"
    dimension: str = "solidarity"
    direction: str = "higher_is_more"
    reads: str = "observations"

    def rule_text(
        self, rule: Mapping[str, Any] | None, methodology: Methodology | None = None
    ) -> str:
        return ""

    def observations(
        self, rows: Iterable[Observation], countries: Iterable[str], **_: Any
    ) -> list[Observation]:
        rows = [Observation(*row) for row in rows if row[1] in self.inputs]
        if not rows:
            return []
        year = max(row.year for row in rows)
        members: dict[str, set[str]] = {}
        for row in rows:
            if row.value > 0:
                members.setdefault(row.country, set()).add(row.indicator)
        return [
            Observation(country, self.code, year, float(len(members.get(country, ()))))
            for country in sorted(set(countries))
        ]


AI_GOVERNANCE_COMMITMENTS = MembershipCount(
    code="ai_governance_commitments",
    name="Shared AI governance commitments",
    inputs=("oecd_ai_principles", "gpai_member", "coe_ai_convention"),
    unit="commitments (0-3)",
    description=(
        "How many of three shared AI governance instruments the country has joined: the OECD AI "
        "Principles, the Global Partnership on AI and the Council of Europe Framework Convention "
        "on AI. Computed by the platform from the three complete membership lists; a country "
        "on none of them counts 0."
    ),
)


SHARED_AI_COMMITMENTS = MembershipCount(
    code="shared_ai_commitments",
    name="Shared AI commitments",
    inputs=(
        "oecd_ai_principles",
        "gpai_member",
        "coe_ai_convention",
        "bletchley_declaration",
        "seoul_declaration",
    ),
    unit="commitments (0-5)",
    description=(
        "How many of five shared AI commitments the country has joined: the OECD AI Principles, "
        "the Global Partnership on AI, the Council of Europe Framework Convention on AI, the "
        "Bletchley Declaration (2023) and the Seoul Declaration (2024). Computed by the "
        "platform from the five complete lists of members and signatories; a country on none "
        "of them counts 0."
    ),
)


@dataclass(frozen=True)
class Commitment:
    """One resource a party commits in an active compact, as the registry records it.

    The last three fields are facts about the compact, read from the registry when the score
    set is computed; a rule that asks for them counts a commitment only when they hold, and
    their defaults are the cautious ones (not confirmed, not yet active, not distinct).
    """

    provider: str  # ISO3 of the committing organisation's country
    partners: tuple[str, ...]  # ISO3s of the compact's other parties' organisations
    kind: str  # compute, model, dataset or know_how
    amount: float | None = None
    unit: str = ""
    compact: str = ""  # the compact's public reference, C-<lineage>@v<version>
    # every party confirmed at least one of the compact's progress reports
    progress_confirmed: bool = False
    # whole days from the compact's activation to the moment the rows were read
    active_days: int = 0
    # every party's organisation is verified and no person is a member of two of them
    distinct: bool = False


KIND_LABELS = {
    "compute": "compute",
    "model": "open model",
    "dataset": "dataset",
    "know_how": "know-how",
}


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class CommitmentRule:
    """How much one commitment counts, as written in the indicator's `rule:` block.

    The bound is optional, so a rule written before it keeps exactly its values:
    - `counted_after`: a commitment counts once every party of its compact has confirmed a
      progress report (`confirmed_report: true`), or once the compact has been active
      `active_days` days; when both are given, either suffices;
    - `distinct_organisations`: it counts only when every party's organisation is verified
      and no person is a member of two parties' organisations;
    - `per_compact_max`: the most one compact adds to one country, in indicator points;
    - `total_max`: the most all compacts together add to one country.
    """

    kind_weights: Mapping[str, float]
    amount: str = "none"  # or "log10"
    max_factor: float | None = None
    confirmed_report: bool = False
    active_days: int | None = None
    distinct_organisations: bool = False
    per_compact_max: float | None = None
    total_max: float | None = None

    @classmethod
    def from_data(cls, rule: Mapping[str, Any] | None) -> CommitmentRule:
        if not rule or not rule.get("kind_weights"):
            raise ValueError("compact_commitments needs a rule with kind_weights")
        after = rule.get("counted_after") or {}
        return cls(
            kind_weights={k: float(v) for k, v in rule["kind_weights"].items()},
            amount=rule.get("amount", "none"),
            max_factor=_number(rule.get("max_factor")),
            confirmed_report=bool(after.get("confirmed_report", False)),
            active_days=None if after.get("active_days") is None else int(after["active_days"]),
            distinct_organisations=bool(rule.get("distinct_organisations", False)),
            per_compact_max=_number(rule.get("per_compact_max")),
            total_max=_number(rule.get("total_max")),
        )

    @property
    def waits(self) -> bool:
        """Whether the rule holds a compact back until it has proved itself."""
        return self.confirmed_report or self.active_days is not None

    def factor(self, amount: float | None) -> float:
        if self.amount != "log10" or amount is None or amount <= 0:
            return 1.0
        factor = 1.0 + math.log10(1.0 + amount)
        return factor if self.max_factor is None else min(factor, self.max_factor)

    def counts(self, commitment: Commitment) -> bool:
        """Whether the commitment's compact passes the rule's `counted_after` and
        `distinct_organisations` (a rule without them lets every compact pass)."""
        if self.distinct_organisations and not commitment.distinct:
            return False
        if not self.waits:
            return True
        if self.confirmed_report and commitment.progress_confirmed:
            return True
        return self.active_days is not None and commitment.active_days >= self.active_days

    def points(self, commitment: Commitment) -> float:
        """What the commitment adds to its provider country's value before the caps: 0 unless
        it is made to a partner in another country and its compact passes the rule."""
        if not any(p != commitment.provider for p in commitment.partners):
            return 0.0
        if not self.counts(commitment):
            return 0.0
        weight = self.kind_weights.get(commitment.kind, 0.0)
        return weight * self.factor(commitment.amount) if weight else 0.0

    def _by_compact(self, rows: Iterable[Commitment]) -> dict[tuple[str, str], list[float]]:
        found: dict[tuple[str, str], list[float]] = {}
        for commitment in rows:
            if (value := self.points(commitment)) > 0:
                found.setdefault((commitment.provider, commitment.compact), []).append(value)
        return found

    def _capped(self, values: list[float]) -> float:
        # fsum: the same total whatever order the registry returns the rows in
        total = math.fsum(values)
        return total if self.per_compact_max is None else min(total, self.per_compact_max)

    def compact_points(self, rows: Iterable[Commitment]) -> dict[tuple[str, str], float]:
        """What each compact adds to each country, (country, compact reference) -> points,
        at most `per_compact_max`; only the pairs whose points are above 0."""
        return {key: self._capped(values) for key, values in self._by_compact(rows).items()}

    def country_points(self, rows: Iterable[Commitment]) -> dict[str, float]:
        """Each country's value: its compacts' points, each at most `per_compact_max`, added up
        and at most `total_max`. Countries with no commitment that counts are left out."""
        parts: dict[str, list[float]] = {}
        for (country, _), values in self._by_compact(rows).items():
            # without a cap per compact, every commitment's points are added in one sum, as
            # before the caps existed (a sum of sums can differ in the last digit)
            found = parts.setdefault(country, [])
            found += values if self.per_compact_max is None else [self._capped(values)]
        totals = {}
        for country, values in parts.items():
            total = math.fsum(values)
            totals[country] = total if self.total_max is None else min(total, self.total_max)
        return totals


@dataclass(frozen=True)
class AimaiBound:
    """The most one indicator can add to a country's AIMAI, in AIMAI points."""

    dimension: str
    full: float  # when every indicator of the dimension has a value for the country
    at_min_coverage: float  # when the dimension has just enough data to be scored
    min_coverage: float  # the dimension's minimum coverage, a share of its weight
    top: float  # the indicator's highest value that still raises it (its scale or its cap)


def _path(group: GroupSpec, code: str) -> list[tuple[GroupSpec, float]] | None:
    """The groups from `group` down to the indicator, each with the weight of the child taken."""
    for spec in group.indicators:
        if spec.code == code:
            return [(group, spec.weight)]
    for child in group.groups:
        below = _path(child, code)
        if below is not None:
            return [(group, child.weight), *below]
    return None


def _normalised_gain(spec: IndicatorSpec, top: float | None) -> float:
    """How far the indicator's normalised value (0-100) can move from a value of 0 to `top`."""
    if spec.normalisation != "goalposts" or spec.transform != "none" or spec.goalposts is None:
        return 100.0  # the whole scale: the most any normalisation can move
    low, high = spec.goalposts

    def scaled(value: float) -> float:
        if spec.cap[0] is not None:
            value = max(value, spec.cap[0])
        if spec.cap[1] is not None:
            value = min(value, spec.cap[1])
        share = min(max((value - low) / (high - low), 0.0), 1.0) * 100
        return 100 - share if spec.direction == "higher_is_less" else share

    return abs(scaled(high if top is None else top) - scaled(0.0))


def aimai_bound(methodology: Methodology, code: str) -> AimaiBound:
    """The most the indicator `code` can add to one country's AIMAI, from a value of 0 to its
    highest: its rule's `total_max` when it has one, else the top of its scale.

    In a weighted arithmetic mean an indicator of weight w adds w·Δx / Σw, where Σw is the
    weight of the indicators the country has: all of them at full coverage, and no less than
    the group's `min_coverage` (nor than w itself) when it has just enough data. AIMAI adds
    the dimension's index weight times that (in absolute value: what it moves the index by).
    When the index is a weighted arithmetic mean of the dimensions, the dimension's weight is
    divided by the sum of the weights.
    Raises ValueError for an indicator the methodology does not use or one under a geometric
    mean (the index's included), whose effect depends on the other values.
    """
    for dimension in methodology.dimension_names:
        path = _path(methodology.dimensions[dimension], code)
        if path is not None:
            break
    else:
        raise ValueError(f"{code} is not in the methodology")
    if methodology.index_aggregation == "geometric" or any(
        group.aggregation != "arithmetic" for group, _ in path
    ):
        raise ValueError(f"{code} is under a geometric mean: no bound holds for every country")
    spec = next(leaf for leaf in methodology.indicators() if leaf.code == code)
    total_max = (spec.rule or {}).get("total_max")
    gain = _normalised_gain(spec, None if total_max is None else float(total_max))
    index_weight = abs(methodology.index_weights[dimension])
    if methodology.index_aggregation == "arithmetic":
        index_weight /= math.fsum(methodology.index_weights.values())
    full = least = index_weight * gain
    for group, weight in path:
        children = group.indicators or group.groups
        total = math.fsum(child.weight for child in children)
        full *= weight / total
        least *= weight / max(group.min_coverage * total, weight)
    goalposts = spec.goalposts or (0.0, 100.0)
    top = goalposts[1] if total_max is None else min(float(total_max), goalposts[1])
    return AimaiBound(
        dimension=dimension,
        full=full,
        at_min_coverage=least,
        min_coverage=methodology.dimensions[dimension].min_coverage,
        top=top,
    )


def _points(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def _when_text(rule: CommitmentRule) -> str:
    waits = []
    if rule.confirmed_report:
        waits.append("once every party has confirmed one of its progress reports")
    if rule.active_days is not None:
        days = f"{rule.active_days} day" + ("" if rule.active_days == 1 else "s")
        waits.append(f"once it has been active {days} (counted when the scores are computed)")
    text = ""
    if waits:
        text += " A compact counts only " + ", or ".join(waits) + "."
    if rule.distinct_organisations:
        text += (
            " A compact counts only when every party's organisation is verified and no person "
            "is a member of two parties' organisations."
        )
    return text


def _aimai(value: float) -> str:
    # rounded up: a bound stated lower than it is would not be one
    return f"{math.ceil(round(value * 100, 6)) / 100:g}"


def _caps_text(rule: CommitmentRule, bound: AimaiBound | None) -> str:
    """The caps in indicator points and, given the bound, what they mean in AIMAI points."""
    if rule.per_compact_max is not None and rule.total_max is not None:
        text = (
            f" Compacts can add at most {_points(rule.per_compact_max)} per compact and "
            f"{rule.total_max:g} in all to the indicator"
        )
    elif rule.per_compact_max is not None:
        text = f" One compact can add at most {_points(rule.per_compact_max)} to the indicator"
        if bound is not None:
            text += f", and all together {_points(bound.top)}, the top of its scale"
    elif rule.total_max is not None:
        text = f" Compacts can add at most {_points(rule.total_max)} in all to the indicator"
    elif bound is not None:
        text = (
            f" Compacts can add at most {_points(bound.top)} to the indicator, the top of its scale"
        )
    else:
        return ""
    if bound is None:
        return text + "."
    partial = "half" if bound.min_coverage == 0.5 else f"{bound.min_coverage * 100:g}%"
    return (
        f"{text}: at most {_aimai(bound.full)} AIMAI points for a country "
        f"({_aimai(bound.at_min_coverage)} where only {partial} of {bound.dimension} is measured)."
    )


@dataclass(frozen=True)
class CompactCommitments:
    """What a country's organisations commit to partners in other countries in active compacts.

    Each commitment (a resource one party commits) counts the points its kind is given in the
    methodology's rule, multiplied, when the rule says so and an amount is given, by
    1 + log10(1 + amount), at most `max_factor` (units differ from one resource to another; the
    log keeps one giant offer from outweighing many). A commitment counts only when the compact
    has a party in another country. A country's value is the sum of its commitments' points.

    The registry is complete by construction (every compact is made on the platform), so a
    country with no commitment counts 0. The rows are dated with the year scored (the
    methodology's reference year, else the latest year of its data): the registry as it stands
    when the score set is computed.
    """

    code: str
    name: str
    description: str = ""
    unit: str = "points"
    dimension: str = "solidarity"
    direction: str = "higher_is_more"
    inputs: tuple[str, ...] = ()
    reads: str = "commitments"

    def rule_text(
        self, rule: Mapping[str, Any] | None, methodology: Methodology | None = None
    ) -> str:
        """The rule in words, for the methodology page; given the methodology, with the most
        compacts can add to a country's AIMAI."""
        try:
            parsed = CommitmentRule.from_data(rule)
        except ValueError:
            return "No rule given: the methodology cannot be published with this indicator."
        # in the kinds' own order: a database may hand the mapping back in another order
        order = {kind: i for i, kind in enumerate(KIND_LABELS)}
        kinds = ", ".join(
            f"{KIND_LABELS.get(kind, kind)} {weight:g}"
            for kind, weight in sorted(
                parsed.kind_weights.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])
            )
        )
        text = f"Points per commitment by kind: {kinds} (other kinds 0)."
        if parsed.amount == "log10":
            text += " With an amount, × (1 + log₁₀(1 + amount))"
            if parsed.max_factor is not None:
                text += f", at most × {parsed.max_factor:g}"
            text += "."
        text += (
            " Only commitments in active compacts with a partner in another country count; a "
            "country with none counts 0."
        )
        text += _when_text(parsed)
        bound = None
        if methodology is not None:
            try:
                bound = aimai_bound(methodology, self.code)
            except ValueError:  # not in the methodology, or under a geometric mean
                bound = None
        return text + _caps_text(parsed, bound)

    def observations(
        self,
        rows: Iterable[Commitment],
        countries: Iterable[str],
        *,
        year: int,
        rule: Mapping[str, Any] | None,
        **_: Any,
    ) -> list[Observation]:
        points = CommitmentRule.from_data(rule).country_points(rows)
        return [
            Observation(country, self.code, year, points.get(country, 0.0))
            for country in sorted(set(countries))
        ]


COMPACT_COMMITMENTS = CompactCommitments(
    code="compact_commitments",
    name="Commitments in AI compacts",
    description=(
        "What the country's organisations commit (compute, open models, datasets, know-how) in "
        "active compacts with partners in other countries, as recorded in the platform's "
        "compacts registry; each compact is approved by an editor before it is active. "
        "Computed by the platform under the rule below from the registry as it stands when the "
        "scores are computed, dated with the year scored; a country with no such commitment "
        "counts 0."
    ),
)

COMPUTED_INDICATORS = {
    source.code: source
    for source in (AI_GOVERNANCE_COMMITMENTS, SHARED_AI_COMMITMENTS, COMPACT_COMMITMENTS)
}
