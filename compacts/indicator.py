"""The compacts registry as rows for the index: what each party commits in active compacts.

The engine's `compact_commitments` (countries/index/computed.py) turns these rows into one
value per country under the rule written in the methodology file; countries/scoring.py reads
them when it scores, so they enter the score set's stored inputs, digest and bundle.

Only ACTIVE compacts count: a compact is active once every party's owner signed it and an
editor reviewed and approved its safeguards (and every party's organisation was verified by an
editor before signing). Completed, terminated, superseded and unfinished compacts do not count,
nor do the examples made by `seed_examples`, which are not real.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet

from compacts.choices import CompactStatus
from compacts.models import Compact, Party
from countries.index.computed import COMPACT_COMMITMENTS, Commitment, CommitmentRule
from countries.index.methodology import methodology_parse
from countries.models import Methodology


def counted_compacts() -> QuerySet[Compact]:
    """The compacts the index reads: active ones, examples left out."""
    return Compact.objects.filter(status=CompactStatus.ACTIVE, example=False)


def _commitments(compacts: QuerySet[Compact]) -> Iterator[tuple[Compact, Commitment]]:
    parties = Party.objects.select_related("organisation__country")
    compacts = compacts.prefetch_related(Prefetch("parties", queryset=parties), "resources")
    for compact in compacts.order_by("pk"):
        country = {party.pk: party.organisation.country.iso3 for party in compact.parties.all()}
        for resource in compact.resources.all():
            partners = sorted(iso3 for pk, iso3 in country.items() if pk != resource.party_id)
            yield (
                compact,
                Commitment(
                    provider=country[resource.party_id],
                    partners=tuple(partners),
                    kind=resource.kind,
                    amount=None if resource.amount is None else float(resource.amount),
                    unit=resource.unit,
                    compact=compact.reference,
                ),
            )


def commitment_rows() -> list[Commitment]:
    """Every commitment of every counted compact, each with its provider's and its partners'
    countries, in a stable order."""
    return [commitment for _, commitment in _commitments(counted_compacts())]


def headline_rule() -> Mapping[str, Any] | None:
    """The `rule:` of compact_commitments in the headline methodology's current version, or
    None when the headline does not use the indicator."""
    methodology = Methodology.objects.headline()
    version = methodology.versions.current() if methodology else None
    if version is None:
        return None
    for spec in methodology_parse(version.definition).indicators():
        if spec.code == COMPACT_COMMITMENTS.code:
            return spec.rule
    return None


def compacts_counted_for(iso3: str, *, rule: Mapping[str, Any] | None = None) -> list[Compact]:
    """The compacts that move `iso3`'s compact_commitments: active compacts in which one of its
    organisations commits something that counts under `rule` (by default the headline
    methodology's). Each carries `points`, what it adds to the country's value; most first.
    Empty when the headline methodology does not use the indicator."""
    rule = rule if rule is not None else headline_rule()
    if rule is None:
        return []
    parsed = CommitmentRule.from_data(rule)
    iso3 = iso3.upper()
    mine = counted_compacts().filter(parties__organisation__country__iso3=iso3).distinct()
    found: dict[int, Compact] = {}
    points: dict[int, list[float]] = {}
    for compact, commitment in _commitments(mine):
        if commitment.provider == iso3 and (value := parsed.points(commitment)) > 0:
            found[compact.pk] = compact
            points.setdefault(compact.pk, []).append(value)
    for pk, compact in found.items():
        compact.points = sum(points[pk])
    return sorted(found.values(), key=lambda c: (-c.points, c.reference))
