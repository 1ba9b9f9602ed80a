"""Matching offers with needs: every pair scored and explained, incompatible pairs excluded.

Pure Python and numpy, no Django and no HTTP: the same code ranks ten pairs in a test and
ten thousand offers by ten thousand needs in the benchmark. Sets (resource kinds, domains,
languages, regions, licences) are bit masks, so an overlap is a bitwise AND and a population
count; needs are scored in blocks against all offers at once, and each block keeps only its
top suggestions (argpartition), never sorting a hundred million pairs.

The score of a pair, 0-1, is a weighted mean of:
- complementarity: the share of the resource kinds the need asks for that the offer gives,
  and whether the need brings what the offer lacks (local data, governance);
- domain overlap, language overlap (Jaccard), and region (the offer targets the need's
  country or region, or targets everyone);
- the mutual-aid signal of the current AIMAI score set: the provider country's capability
  times the need country's burden, both 0-1 ("a compass for cooperation").
A need that prefers partners in its own clusters (regional cooperation clusters its
organisation belongs to) has a sixth part, "cluster": 1 when the offer's organisation shares
one of those clusters. Its score is then (1 - CLUSTER_WEIGHT) x the mean above +
CLUSTER_WEIGHT x that part, so it stays on 0-1; other needs are scored exactly as before.
A pair is excluded, with its reason, when the need's acceptable licences do not include the
offer's licence, or when the need's data must stay in its country and the offer's resource
is hosted elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from compacts.translating import gettext as _

WEIGHTS = {
    "complementarity": 0.35,
    "domain": 0.2,
    "language": 0.15,
    "region": 0.1,
    "mutual_aid": 0.2,
}
CLUSTER_WEIGHT = 0.25  # for needs that prefer partners in their own clusters
BLOCK = 64  # needs scored at once against every offer: arrays that stay in the CPU cache


@dataclass(frozen=True)
class Offer:
    id: int
    kinds: frozenset[str]  # compute, model, dataset, know_how
    domains: frozenset[str]
    languages: frozenset[str]
    targets: frozenset[str]  # ISO3 codes or region names; empty = anyone
    licence: str
    hosted_in: str  # ISO3 of the hardware or data; "" when nothing is hosted
    provider_country: str
    lacks: frozenset[str] = field(default_factory=frozenset)  # local_data, governance
    clusters: frozenset[str] = field(default_factory=frozenset)  # names, of the provider's


@dataclass(frozen=True)
class Need:
    id: int
    wants: frozenset[str]
    domains: frozenset[str]
    languages: frozenset[str]
    country: str
    region: str
    brings: frozenset[str]  # local_data, governance
    licences: frozenset[str]  # acceptable licences
    data_stays: bool  # the need's data must stay in its country
    # the clusters of the need's organisation, when it prefers partners in them; else empty
    clusters: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Suggestion:
    offer: int
    need: int
    score: float
    parts: dict[str, float]
    reasons: list[str]  # in English, as stored and as the API gives them
    # the same reasons as codes, for pages to word in their language: [{"why", "codes"}]
    explanation: list[dict] = field(default_factory=list)


# why a pair is suggested, in English: what each `why` of an explanation says of its codes
ENGLISH_REASONS = {
    "gives": "offers {}, which the need asks for",
    "brings": "the need brings {}, which the offer lacks",
    "domains": "shared domains: {}",
    "languages": "shared languages: {}",
    "mutual_aid": "mutual aid: a high-capability provider ({}) with a high-burden country ({})",
    "cluster": "in the same cluster: {}",
}


def reason_in_english(why: str, codes: list[str]) -> str:
    if why == "mutual_aid":
        return ENGLISH_REASONS[why].format(*codes)
    words = ", ".join(codes).replace("_", " ") if why == "brings" else ", ".join(codes)
    return ENGLISH_REASONS[why].format(words)


class _Vocabulary:
    """Words to bit positions (up to 64 per kind of set)."""

    def __init__(self, sets: Iterable[Iterable[str]]) -> None:
        words = sorted({w for s in sets for w in s})
        if len(words) > 64:
            raise ValueError(f"at most 64 distinct values per field, got {len(words)}")
        self.bit = {w: np.uint64(1) << np.uint64(i) for i, w in enumerate(words)}

    def mask(self, words: Iterable[str]) -> np.uint64:
        out = np.uint64(0)
        for w in words:
            out |= self.bit.get(w, np.uint64(0))
        return out

    def masks(self, sets: Sequence[Iterable[str]]) -> np.ndarray:
        return np.fromiter((self.mask(s) for s in sets), dtype=np.uint64, count=len(sets))


def _count(bits: np.ndarray) -> np.ndarray:
    return np.bitwise_count(bits).astype(np.float32)  # single precision: scores are 0-1


def _jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    union = _count(a | b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, _count(a & b) / union, 0.0)


@dataclass
class _Encoded:
    kinds: np.ndarray
    domains: np.ndarray
    languages: np.ndarray
    places: np.ndarray
    licences: np.ndarray
    lacks: np.ndarray


def _encode(offers: Sequence[Offer], needs: Sequence[Need]):
    kinds = _Vocabulary([o.kinds for o in offers] + [n.wants for n in needs])
    domains = _Vocabulary([o.domains for o in offers] + [n.domains for n in needs])
    languages = _Vocabulary([o.languages for o in offers] + [n.languages for n in needs])
    licences = _Vocabulary([[o.licence] for o in offers] + [n.licences for n in needs])
    extras = _Vocabulary([o.lacks for o in offers] + [n.brings for n in needs])
    places = {o.provider_country for o in offers} | {o.hosted_in for o in offers}
    places |= {p for o in offers for p in o.targets} | {n.country for n in needs}
    places |= {n.region for n in needs}
    place_index = {p: i for i, p in enumerate(sorted(places))}
    offer = _Encoded(
        kinds=kinds.masks([o.kinds for o in offers]),
        domains=domains.masks([o.domains for o in offers]),
        languages=languages.masks([o.languages for o in offers]),
        places=np.array([o.hosted_in for o in offers], dtype=object),
        licences=licences.masks([[o.licence] for o in offers]),
        lacks=extras.masks([o.lacks for o in offers]),
    )
    need = _Encoded(
        kinds=kinds.masks([n.wants for n in needs]),
        domains=domains.masks([n.domains for n in needs]),
        languages=languages.masks([n.languages for n in needs]),
        places=np.array([n.country for n in needs], dtype=object),
        licences=licences.masks([n.licences for n in needs]),
        lacks=extras.masks([n.brings for n in needs]),
    )
    # region: 1 when the offer targets anyone, the need's country, or the need's region;
    # offers x places as a boolean matrix, so a block of needs reads it by column
    targets = np.zeros((len(offers), len(place_index)), dtype=bool)
    for i, o in enumerate(offers):
        targets[i, [place_index[p] for p in o.targets]] = True
    open_to_all = ~targets.any(axis=1)
    where = {
        "country": np.array([place_index[n.country] for n in needs]),
        "region": np.array([place_index[n.region] for n in needs]),
    }
    return offer, need, (targets, open_to_all, where)


def _scores(offers, needs, offer, need, places, signal, rows: slice):
    """Scores (needs in `rows` x all offers) and the exclusion mask, as arrays."""
    n = need
    nk = n.kinds[rows][:, None]
    wanted = np.maximum(_count(nk), 1.0)
    complement = _count(nk & offer.kinds[None, :]) / wanted
    brings = _count(n.lacks[rows][:, None] & offer.lacks[None, :]) / np.maximum(
        _count(offer.lacks[None, :]), 1.0
    )
    complementarity = np.where(
        offer.lacks[None, :] > 0, 0.75 * complement + 0.25 * brings, complement
    )
    domain = _jaccard(n.domains[rows][:, None], offer.domains[None, :])
    language = _jaccard(n.languages[rows][:, None], offer.languages[None, :])
    block = needs[rows]
    targets, open_to_all, where = places
    region = (
        open_to_all[None, :]
        | targets[:, where["country"][rows]].T
        | targets[:, where["region"][rows]].T
    ).astype(np.float64)
    mutual = signal["provider"][None, :] * signal["burden"][rows][:, None]
    score = (
        WEIGHTS["complementarity"] * complementarity
        + WEIGHTS["domain"] * domain
        + WEIGHTS["language"] * language
        + WEIGHTS["region"] * region
        + WEIGHTS["mutual_aid"] * mutual
    )
    licence_ok = (n.licences[rows][:, None] & offer.licences[None, :]) > 0
    stays = np.array([item.data_stays for item in block])[:, None]
    hosted = offer.places[None, :]
    residency_ok = ~stays | (hosted == "") | (hosted == n.places[rows][:, None])
    excluded = ~(licence_ok & residency_ok) | (complement == 0)
    parts = {
        "complementarity": complementarity,
        "domain": domain,
        "language": language,
        "region": region,
        "mutual_aid": mutual,
    }
    return score, excluded, parts


def _cluster_members(offers: Sequence[Offer], needs) -> dict[str, np.ndarray] | None:
    """For each cluster a preferring need names, which offers come from its members (a
    boolean column); None when no need prefers its clusters."""
    wanted = {c for n in needs for c in n.clusters}
    if not wanted:
        return None
    return {name: np.array([name in o.clusters for o in offers]) for name in wanted}


def _same_cluster(members: dict[str, np.ndarray], block, count: int) -> np.ndarray:
    """Needs in `block` x offers: 1 where the offer's provider shares one of the need's
    clusters (the need's clusters are empty unless it prefers them)."""
    same = np.zeros((len(block), count), dtype=np.float64)
    for i, item in enumerate(block):
        for name in item.clusters:
            same[i] = np.maximum(same[i], members[name])
    return same


def _signal(offers, needs, index: dict[str, tuple[float, float]]) -> dict[str, np.ndarray]:
    """Provider capability and need burden on 0-1, from {ISO3: (capability, burden)}; 0 when a
    country has no score (no signal, rather than a guess)."""
    capability = np.array([index.get(o.provider_country, (0.0, 0.0))[0] for o in offers])
    burden = np.array([index.get(n.country, (0.0, 0.0))[1] for n in needs])
    return {"provider": np.nan_to_num(capability) / 100, "burden": np.nan_to_num(burden) / 100}


def suggest(
    offers: Sequence[Offer],
    needs: Sequence[Need],
    index: dict[str, tuple[float, float]] | None = None,
    top: int = 20,
) -> dict[int, list[Suggestion]]:
    """The best `top` compatible offers for every need, best first, each explained."""
    if not offers or not needs:
        return {n.id: [] for n in needs}
    needs = np.array(needs, dtype=object)
    offer, need, places = _encode(offers, needs)
    signal = _signal(offers, needs, index or {})
    clusters = _cluster_members(offers, needs)
    found: dict[int, list[Suggestion]] = {}
    k = min(top, len(offers))
    for start in range(0, len(needs), BLOCK):
        rows = slice(start, min(start + BLOCK, len(needs)))
        score, excluded, parts = _scores(offers, needs, offer, need, places, signal, rows)
        prefers = np.array([bool(item.clusters) for item in needs[rows]])
        if clusters is not None and prefers.any():
            same = _same_cluster(clusters, needs[rows], len(offers))
            score = np.where(
                prefers[:, None], (1 - CLUSTER_WEIGHT) * score + CLUSTER_WEIGHT * same, score
            )
            parts = {**parts, "cluster": same}
        score = np.where(excluded, -1.0, score)
        # the k-th best score of each need, without sorting the row; ties at it go to the
        # earlier offer, so the result never depends on how the rows were partitioned
        kth = -np.partition(-score, k - 1, axis=1)[:, k - 1]
        for i in range(score.shape[0]):
            row = np.flatnonzero(score[i] >= max(kth[i], 0.0))  # excluded pairs are -1
            ordered = row[np.lexsort((row, -score[i, row]))][:k]
            item = needs[start + i]
            chosen = {
                p: v[i, ordered].tolist() for p, v in parts.items() if p != "cluster" or prefers[i]
            }
            found[item.id] = [
                _suggestion(offers[j], item, float(score[i, j]), {p: chosen[p][n] for p in chosen})
                for n, j in enumerate(ordered.tolist())
            ]
    return found


def _suggestion(offer: Offer, need: Need, score: float, parts: dict[str, float]) -> Suggestion:
    why = [("gives", sorted(offer.kinds & need.wants))]
    brought = sorted(offer.lacks & need.brings)
    if brought:
        why.append(("brings", brought))
    if offer.domains & need.domains:
        why.append(("domains", sorted(offer.domains & need.domains)))
    if offer.languages & need.languages:
        why.append(("languages", sorted(offer.languages & need.languages)))
    if parts["mutual_aid"] > 0.1:
        why.append(("mutual_aid", [offer.provider_country, need.country]))
    shared = sorted(offer.clusters & need.clusters)
    if shared:
        why.append(("cluster", shared))
    return Suggestion(
        offer=offer.id,
        need=need.id,
        score=score,
        parts=parts,
        reasons=[reason_in_english(said, codes) for said, codes in why],
        explanation=[{"why": said, "codes": codes} for said, codes in why],
    )


def why_excluded(offer: Offer, need: Need) -> list[str]:
    """The reasons a pair can never be suggested (empty when it can), for the need's page."""
    reasons = []
    if offer.licence not in need.licences:
        reasons.append(
            _("licence %(licence)s is not among those the need accepts (%(accepted)s)")
            % {"licence": offer.licence, "accepted": ", ".join(sorted(need.licences))}
        )
    if need.data_stays and offer.hosted_in and offer.hosted_in != need.country:
        reasons.append(
            _("the need's data must stay in %(country)s, and the offer is hosted in %(hosted)s")
            % {"country": need.country, "hosted": offer.hosted_in}
        )
    if not offer.kinds & need.wants:
        reasons.append(_("the offer gives none of the resources the need asks for"))
    return reasons
