"""Reads of regional clusters: the page of a cluster, its compacts, infrastructure and figures."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from aimai_site.errors import NotFoundError
from compacts.alliance.models import AllianceMembership, Cluster, ClusterMember
from compacts.choices import ClusterStatus, ResourceKind
from compacts.models import Compact, Offer
from compacts.permissions import role_in
from countries.models import Country
from countries.selectors import score_set_resolve

# what a cluster shares: things that sit somewhere, not know-how
INFRASTRUCTURE = (ResourceKind.COMPUTE, ResourceKind.MODEL, ResourceKind.DATASET)


@dataclass(frozen=True)
class Figures:
    """The AIMAI of a cluster's countries in one score set. The spread is the range and the
    population standard deviation: the cluster's countries are all there is to describe."""

    score_set: object | None
    scored: int
    countries: int
    mean: float | None = None
    low: float | None = None
    high: float | None = None
    deviation: float | None = None
    rows: list = field(default_factory=list)  # (country, aimai or None), by name

    @property
    def coverage(self) -> float:
        return self.scored / self.countries if self.countries else 0.0


def figures_of(values: list[float]) -> dict:
    """Mean, range and population standard deviation of a list of values (empty: nothing)."""
    if not values:
        return {}
    return {
        "mean": statistics.fmean(values),
        "low": min(values),
        "high": max(values),
        "deviation": statistics.pstdev(values),
    }


def cluster_figures(cluster: Cluster) -> Figures:
    """The cluster's countries' AIMAI in the current headline score set."""
    countries = list(cluster.countries.order_by("name"))
    try:
        score_set = score_set_resolve()
    except NotFoundError:
        return Figures(None, 0, len(countries), rows=[(c, None) for c in countries])
    aimai = dict(
        score_set.scores.filter(country__in=countries, aimai__isnull=False).values_list(
            "country_id", "aimai"
        )
    )
    values = list(aimai.values())
    return Figures(
        score_set,
        len(values),
        len(countries),
        rows=[(c, aimai.get(c.pk)) for c in countries],
        **figures_of(values),
    )


def member_organisations(cluster: Cluster) -> set[int]:
    return set(
        ClusterMember.objects.current()
        .filter(cluster=cluster)
        .values_list("organisation", flat=True)
    )


@dataclass(frozen=True)
class ClusterCompacts:
    within: list  # every party is in this cluster
    across: list  # (compact, names of the other clusters its other parties are in)


def cluster_compacts(cluster: Cluster, user) -> ClusterCompacts:
    """The compacts a reader may see with a party in the cluster: those all of whose parties
    are in it, and those that reach parties in other approved clusters."""
    members = member_organisations(cluster)
    if not members:
        return ClusterCompacts([], [])
    compacts = (
        Compact.objects.visible_to(user)
        .filter(parties__organisation__in=members)
        .distinct()
        .prefetch_related("parties")
        .order_by("-created_at")
    )
    elsewhere: dict[int, set[str]] = {}
    rows = (
        ClusterMember.objects.current()
        .filter(cluster__status=ClusterStatus.APPROVED)
        .exclude(cluster=cluster)
        .values_list("organisation", "cluster__name")
    )
    for organisation, name in rows:
        elsewhere.setdefault(organisation, set()).add(name)
    within, across = [], []
    for compact in compacts:
        parties = {p.organisation_id for p in compact.parties.all()}
        outside = parties - members
        if not outside:
            within.append(compact)
            continue
        others = sorted({name for org in outside for name in elsewhere.get(org, ())})
        if others:
            across.append((compact, others))
    return ClusterCompacts(within, across)


def cluster_infrastructure(cluster: Cluster):
    """Published compute, models and datasets that sit in the cluster's countries: where the
    offer says it is hosted, or else where the offering organisation is based."""
    countries = cluster.countries.all()
    return (
        Offer.objects.published()
        .filter(kind__in=INFRASTRUCTURE)
        .filter(
            Q(hosted_in__in=countries)
            | Q(hosted_in__isnull=True, organisation__country__in=countries)
        )
        .select_related("organisation", "hosted_in", "organisation__country")
        .order_by("kind", "title")
    )


def clusters_approved():
    return Cluster.objects.approved().prefetch_related("countries")


def cluster_for_user(user, slug: str) -> Cluster:
    """An approved cluster for anyone; a proposed or declined one for editors and the
    proposing organisation's members only (404 for the others)."""
    cluster = Cluster.objects.filter(slug=slug).select_related("proposed_by").first()
    if cluster is None:
        raise NotFoundError(_("No such cluster."))
    if cluster.status == ClusterStatus.APPROVED:
        return cluster
    if user.is_authenticated and (
        user.has_perm("compacts.decide_cluster") or role_in(user, cluster.proposed_by) is not None
    ):
        return cluster
    raise NotFoundError(_("No such cluster."))


def owned_members(user):
    """The accepted member organisations the user owns: those that may join or leave."""
    from compacts.models import Organisation

    if not user.is_authenticated:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(
            memberships__user=user,
            memberships__role="owner",
            alliance_memberships__status="accepted",
        )
        .distinct()
        .order_by("name")
    )


def public_members(cluster: Cluster):
    """The cluster's current members the public sees by name: those of the member directory
    (organisations an editor verified, individuals who chose to be listed)."""
    listed = AllianceMembership.objects.listed().values("organisation")
    return (
        ClusterMember.objects.current()
        .filter(cluster=cluster, organisation__in=listed)
        .select_related("organisation__country")
        .order_by("organisation__name")
    )


def cluster_page(user, cluster: Cluster) -> dict:
    from compacts.models import Organisation

    members = list(public_members(cluster))
    in_cluster = member_organisations(cluster)
    approved = cluster.status == ClusterStatus.APPROVED
    owned = list(owned_members(user)) if approved else []
    leaving = (
        Organisation.objects.filter(
            pk__in=in_cluster, memberships__user=user, memberships__role="owner"
        ).order_by("name")
        if approved and user.is_authenticated
        else []
    )
    return {
        "cluster": cluster,
        "members": members,
        "unlisted": len(in_cluster) - len(members),
        "figures": cluster_figures(cluster),
        "compacts": cluster_compacts(cluster, user),
        "infrastructure": cluster_infrastructure(cluster),
        "can_join": [o for o in owned if o.pk not in in_cluster],
        "can_leave": list(leaving),
        "can_decide": user.is_authenticated
        and user.has_perm("compacts.decide_cluster")
        and cluster.status == ClusterStatus.PROPOSED,
    }


def region_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The UN M49 groupings that have countries, for the proposal form."""
    grouped = []
    for kind, label in (
        ("subregion", _("UN M49 sub-regions")),
        ("intermediate_region", _("UN M49 intermediate regions")),
        ("region", _("UN M49 regions")),
    ):
        names = sorted(
            set(Country.objects.exclude(**{kind: ""}).values_list(kind, flat=True).distinct())
        )
        grouped.append((label, [(f"{kind}:{name}", name) for name in names]))
    return grouped
