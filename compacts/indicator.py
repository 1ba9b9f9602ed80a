"""The compacts registry as rows for the index: what each party commits in active compacts.

The engine's `compact_commitments` (countries/index/computed.py) turns these rows into one
value per country under the rule written in the methodology file; countries/scoring.py reads
them when it scores, so they enter the score set's stored inputs, digest and bundle.

Only ACTIVE compacts count: a compact is active once every party's owner signed it and an
editor reviewed and approved its safeguards (and every party's organisation was verified by an
editor before signing). Completed, terminated, superseded and unfinished compacts do not count,
nor do the examples made by `seed_examples`, which are not real.

Each row also carries what the methodology's rule may ask of its compact before it counts
(the rule is applied in countries/index/computed.py, which knows no database): whether every
party confirmed a progress report, how many days it has been active when the rows are read,
and whether its organisations are distinct (all verified, no person a member of two).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from compacts.choices import CompactStatus
from compacts.models import Compact, Membership, Party, ProgressReport
from countries.index.computed import COMPACT_COMMITMENTS, Commitment, CommitmentRule
from countries.index.reading import methodology_parse
from countries.models import Methodology


def counted_compacts() -> QuerySet[Compact]:
    """The compacts the index reads: active ones, examples left out."""
    return Compact.objects.filter(status=CompactStatus.ACTIVE, example=False)


def _facts(compacts: list[Compact], at: datetime) -> dict[int, tuple[bool, int, bool]]:
    """(progress confirmed, whole days active at `at`, distinct organisations) per compact.

    Progress is confirmed when every party confirmed one of the compact's progress reports (the
    report is then verified). Organisations are distinct when every party's is verified and no
    person is a member of two of them, so no one can make a compact with themself.
    """
    pks = [compact.pk for compact in compacts]
    confirmed = set(
        ProgressReport.objects.filter(
            compact__in=pks, verified_at__isnull=False, verified_at__lte=at
        ).values_list("compact", flat=True)
    )
    organisations: dict[int, set[int]] = {}
    for compact in compacts:
        organisations[compact.pk] = {party.organisation_id for party in compact.parties.all()}
    members: dict[int, set[int]] = {}
    every = set().union(*organisations.values()) if organisations else set()
    for organisation, user in Membership.objects.filter(organisation__in=every).values_list(
        "organisation", "user"
    ):
        members.setdefault(organisation, set()).add(user)
    facts = {}
    for compact in compacts:
        parties = [party.organisation for party in compact.parties.all()]
        people = [members.get(org.pk, set()) for org in parties]
        shared = sum(len(group) for group in people) != len(set().union(*people))
        distinct = all(org.verified_at is not None for org in parties) and not shared
        days = (at - compact.activated_at).days if compact.activated_at else 0
        facts[compact.pk] = (compact.pk in confirmed, max(days, 0), distinct)
    return facts


def _commitments(
    compacts: QuerySet[Compact], at: datetime | None = None
) -> Iterator[tuple[Compact, Commitment]]:
    at = at or timezone.now()
    parties = Party.objects.select_related("organisation__country")
    compacts = compacts.prefetch_related(Prefetch("parties", queryset=parties), "resources")
    compacts = list(compacts.order_by("pk"))
    facts = _facts(compacts, at)
    for compact in compacts:
        country = {party.pk: party.organisation.country.iso3 for party in compact.parties.all()}
        confirmed, days, distinct = facts[compact.pk]
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
                    progress_confirmed=confirmed,
                    active_days=days,
                    distinct=distinct,
                ),
            )


def commitment_rows(*, at: datetime | None = None) -> list[Commitment]:
    """Every commitment of every counted compact, each with its provider's and its partners'
    countries and the facts the methodology's rule may ask of its compact, in a stable order.

    Days active are counted to `at`, by default now: the moment the score set is computed. The
    rows it makes are stored with the score set, so it reproduces whatever the date.
    """
    return [commitment for _, commitment in _commitments(counted_compacts(), at)]


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
    pairs = list(_commitments(mine))
    by_reference = {compact.reference: compact for compact, _ in pairs}
    found = []
    for (country, reference), points in parsed.compact_points(c for _, c in pairs).items():
        if country == iso3:
            compact = by_reference[reference]
            compact.points = points
            found.append(compact)
    return sorted(found, key=lambda c: (-c.points, c.reference))
