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

    def rule_text(self, rule: Mapping[str, Any] | None) -> str:
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
    """One resource a party commits in an active compact, as the registry records it."""

    provider: str  # ISO3 of the committing organisation's country
    partners: tuple[str, ...]  # ISO3s of the compact's other parties' organisations
    kind: str  # compute, model, dataset or know_how
    amount: float | None = None
    unit: str = ""
    compact: str = ""  # the compact's public reference, C-<lineage>@v<version>


KIND_LABELS = {
    "compute": "compute",
    "model": "open model",
    "dataset": "dataset",
    "know_how": "know-how",
}


@dataclass(frozen=True)
class CommitmentRule:
    """How much one commitment counts, as written in the indicator's `rule:` block."""

    kind_weights: Mapping[str, float]
    amount: str = "none"  # or "log10"
    max_factor: float | None = None

    @classmethod
    def from_data(cls, rule: Mapping[str, Any] | None) -> CommitmentRule:
        if not rule or not rule.get("kind_weights"):
            raise ValueError("compact_commitments needs a rule with kind_weights")
        return cls(
            kind_weights={k: float(v) for k, v in rule["kind_weights"].items()},
            amount=rule.get("amount", "none"),
            max_factor=None if rule.get("max_factor") is None else float(rule["max_factor"]),
        )

    def factor(self, amount: float | None) -> float:
        if self.amount != "log10" or amount is None or amount <= 0:
            return 1.0
        factor = 1.0 + math.log10(1.0 + amount)
        return factor if self.max_factor is None else min(factor, self.max_factor)

    def points(self, commitment: Commitment) -> float:
        """What the commitment adds to its provider country's value: 0 unless it is made to a
        partner in another country."""
        if not any(p != commitment.provider for p in commitment.partners):
            return 0.0
        weight = self.kind_weights.get(commitment.kind, 0.0)
        return weight * self.factor(commitment.amount) if weight else 0.0


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

    def rule_text(self, rule: Mapping[str, Any] | None) -> str:
        """The rule in words, for the methodology page."""
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
        return text

    def observations(
        self,
        rows: Iterable[Commitment],
        countries: Iterable[str],
        *,
        year: int,
        rule: Mapping[str, Any] | None,
        **_: Any,
    ) -> list[Observation]:
        parsed = CommitmentRule.from_data(rule)
        points: dict[str, list[float]] = {}
        for commitment in rows:
            points.setdefault(commitment.provider, []).append(parsed.points(commitment))
        # fsum: the same total whatever order the registry returns the rows in
        return [
            Observation(country, self.code, year, math.fsum(points.get(country, ())))
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
