"""From published offers and needs to stored, explained suggestions (matching.py does the
scoring). The whole suggestion table is replaced in one transaction, so members never see a
half-computed mix."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from aimai_site.errors import NotFoundError
from aimai_site.outbox import outbox_enqueue
from compacts import matching
from compacts.models import ClusterMember, Need, Offer, Suggestion
from countries.models import Country
from countries.selectors import score_set_resolve

TOP = 20


def index_signal() -> tuple[str, dict[str, tuple[float, float]]]:
    """{ISO3: (capability, burden)} of the current headline score set, and its digest."""
    try:
        score_set = score_set_resolve()
    except NotFoundError:
        return "", {}
    rows = score_set.scores.values_list("country__iso3", "capability", "burden")
    return score_set.digest, {
        iso3: (capability or 0.0, burden or 0.0) for iso3, capability, burden in rows
    }


def cluster_names() -> dict[int, frozenset[str]]:
    """{organisation id: names of the approved clusters it is in now}."""
    found: dict[int, set[str]] = {}
    rows = (
        ClusterMember.objects.current()
        .filter(cluster__status="approved")
        .values_list("organisation", "cluster__name")
    )
    for organisation, name in rows:
        found.setdefault(organisation, set()).add(name)
    return {organisation: frozenset(names) for organisation, names in found.items()}


def _offer(o: Offer, clusters: dict[int, frozenset[str]] | None = None) -> matching.Offer:
    return matching.Offer(
        id=o.pk,
        kinds=frozenset({o.kind}),
        domains=frozenset(o.domains),
        languages=frozenset(o.languages),
        targets=frozenset(o.targets),
        licence=o.licence,
        hosted_in=o.hosted_in.iso3 if o.hosted_in else "",
        provider_country=o.organisation.country.iso3,
        lacks=frozenset(o.lacks),
        clusters=(clusters or {}).get(o.organisation_id, frozenset()),
    )


def _offers(clusters: dict[int, frozenset[str]]) -> list[matching.Offer]:
    published = Offer.objects.published().select_related("organisation__country", "hosted_in")
    return [_offer(o, clusters) for o in published]


def _needs(
    published=None, clusters: dict[int, frozenset[str]] | None = None
) -> list[matching.Need]:
    clusters = clusters or {}
    regions = dict(Country.objects.values_list("iso3", "region"))
    published = (published if published is not None else Need.objects.published()).select_related(
        "country"
    )
    return [
        matching.Need(
            id=n.pk,
            wants=frozenset(n.wants),
            domains=frozenset(n.domains),
            languages=frozenset(n.languages),
            country=n.country.iso3,
            region=regions.get(n.country.iso3, ""),
            brings=frozenset(n.brings),
            licences=frozenset(n.licences),
            data_stays=n.data_stays,
            clusters=clusters.get(n.organisation_id, frozenset())
            if n.prefer_cluster
            else frozenset(),
        )
        for n in published
    ]


# the advisory lock key of the suggestion table's recompute (any fixed 64-bit number)
SUGGESTIONS_LOCK = 0x41494D4149_5347


@transaction.atomic
def suggestions_recompute() -> dict:
    """Score every published offer against every published need; keep each need's best.

    One at a time: two workers recomputing at once would both insert the same new pairs. The
    second waits for the first to commit, then reads the table it left."""
    if connection.vendor == "postgresql":  # SQLite lets one writer in at a time anyway
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SUGGESTIONS_LOCK])
    clusters = cluster_names()
    offers, needs = _offers(clusters), _needs(clusters=clusters)
    digest, signal = index_signal()
    owners = dict(Offer.objects.values_list("pk", "organisation"))
    need_owners = dict(Need.objects.values_list("pk", "organisation"))
    found = matching.suggest(offers, needs, signal, top=TOP + 5)
    now = timezone.now()
    rows = []
    for need_id, suggestions in found.items():
        # an organisation's own offer is not a suggestion for its own need
        kept = [s for s in suggestions if owners[s.offer] != need_owners[need_id]][:TOP]
        rows += [
            Suggestion(
                need_id=need_id,
                offer_id=s.offer,
                rank=rank,
                score=round(s.score, 4),
                parts={k: round(float(v), 4) for k, v in s.parts.items()},
                reasons=s.reasons,
                explanation=s.explanation,
                score_set=digest,
                computed_at=now,
            )
            for rank, s in enumerate(kept, start=1)
        ]
    # a pair suggested again keeps its row (and its id, which a member's page may hold)
    existing = dict(
        ((need, offer), pk)
        for pk, need, offer in Suggestion.objects.values_list("pk", "need", "offer")
    )
    kept = []
    for row in rows:
        row.pk = existing.pop((row.need_id, row.offer_id), None)
        if row.pk is not None:
            kept.append(row)
    Suggestion.objects.filter(pk__in=list(existing.values())).delete()
    fields = ["rank", "score", "parts", "reasons", "explanation", "score_set", "computed_at"]
    Suggestion.objects.bulk_update(kept, fields, batch_size=2000)
    Suggestion.objects.bulk_create([r for r in rows if r.pk is None], batch_size=2000)
    return {"offers": len(offers), "needs": len(needs), "suggestions": len(rows)}


def exclusions_for(need: Need, *, most: int = 20) -> list[tuple[Offer, list[str]]]:
    """Published offers that share a domain or a language with `need` but can never be
    suggested for it, each with the reasons (licence, data residency, nothing it asks for)."""
    near = (
        Offer.objects.published()
        .exclude(organisation=need.organisation_id)
        .sharing_words_with(need)
        .select_related("organisation__country", "hosted_in")
    )
    (target,) = _needs(Need.objects.filter(pk=need.pk))
    found = []
    for offer in near:
        reasons = matching.why_excluded(_offer(offer), target)
        if reasons:
            found.append((offer, reasons))
            if len(found) == most:
                break
    return found


def suggestions_recompute_soon() -> None:
    """Record a recompute of every suggestion with the current transaction's change (an offer,
    a need, a cluster or a score set); it runs once that commits."""
    outbox_enqueue("compacts.tasks.suggestions_recompute_task")
