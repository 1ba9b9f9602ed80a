"""Indicators the platform computes itself, behind the same interface as imported ones.

An indicator source names the imported indicators it reads (`inputs`) and turns their rows
into `Observation` rows of its own (`observations()`), exactly the rows an imported indicator
would have; the engine cannot tell them apart, and the rows go into the score set's inputs,
digest and bundle like any other. A later source drawn from the compacts registry is one more
class with the same two members.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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

    def observations(
        self, rows: Iterable[Observation], countries: Iterable[str]
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

COMPUTED_INDICATORS = {source.code: source for source in (AI_GOVERNANCE_COMMITMENTS,)}
