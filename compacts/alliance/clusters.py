"""Writes of regional cooperation clusters: proposals, editors' decisions, joining and leaving.

An owner of an accepted member organisation proposes a cluster (a set of countries, from a
UN M49 grouping or chosen one by one, and its focus domains); an editor approves it, and the
proposing organisation joins it, or declines it with the reason. Owners of accepted members
join approved clusters and leave them. Approving, joining and leaving are entries of the
transparency log; a proposal and a declined proposal are not.

Every function checks who acts before it changes anything and runs in one transaction; a
refusal raises (PermissionDenied, DomainError) and leaves everything as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.errors import DomainError, InvalidInput
from aimai_site.mail import mail_after_commit
from aimai_site.validators import plain_text, single_line
from compacts.alliance.models import Cluster, ClusterMember
from compacts.alliance.services import by_language
from compacts.choices import ClusterRegion, ClusterStatus, Domain, Role
from compacts.models import Membership, Organisation
from compacts.permissions import require_alliance_member, require_editor, require_owner
from compacts.registry_names import organisation_event_fields
from compacts.services.members import unique_slug
from compacts.suggestions import suggestions_recompute_soon
from countries.models import Country
from registry.merkle import canonical_json
from registry.services import Event, registry_append

DECIDE_PERM = "compacts.decide_cluster"
NAME_MAX = 120

# a whole sentence per action, for translators; the status is the cluster's, lower-cased
NOT_APPROVED = {
    "joined": gettext_lazy(
        "The cluster %(name)s is %(status)s: only approved clusters can be joined."
    ),
    "left": gettext_lazy("The cluster %(name)s is %(status)s: only approved clusters can be left."),
}
NOT_PROPOSED = {
    "approved": gettext_lazy("The cluster %(name)s is %(status)s: it cannot be approved."),
    "declined": gettext_lazy("The cluster %(name)s is %(status)s: it cannot be declined."),
}


def cluster_digest(cluster: Cluster) -> str:
    """SHA-256 of what a cluster is: its name, its countries and its focus domains."""
    document = {
        "cluster": cluster.slug,
        "name": cluster.name,
        "countries": sorted(cluster.countries.values_list("iso3", flat=True)),
        "domains": sorted(cluster.domains),
    }
    return hashlib.sha256(canonical_json(document)).hexdigest()


def _member_digest(cluster: Cluster, event: str) -> str:
    document = {"cluster": cluster.slug, "cluster_digest": cluster_digest(cluster), "event": event}
    return hashlib.sha256(canonical_json(document)).hexdigest()


def _text(value, field: str, *, required: bool, single: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInput(_("Text, please."), field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput(_("This is required."), field=field)
    validator = single_line if single else plain_text
    try:
        validator(value)
    except Exception as exc:  # a ValidationError: its message is for people
        raise InvalidInput(" ".join(getattr(exc, "messages", [str(exc)])), field=field) from None
    return value


def _domains(values: Iterable[str]) -> list[str]:
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise InvalidInput(_("A list of domains."), field="domains")
    values = sorted(set(values))
    unknown = sorted(set(values) - set(Domain.values))
    if unknown:
        raise InvalidInput(
            _("Unknown domains: %(domains)s.") % {"domains": ", ".join(unknown)}, field="domains"
        )
    if not values:
        raise InvalidInput(_("Choose at least one focus domain."), field="domains")
    return values


def region_countries(region_kind: str, region_name: str, countries: Iterable = ()) -> list[Country]:
    """The countries of a UN M49 grouping, or those chosen (Country objects or ISO3 codes)."""
    if region_kind not in ClusterRegion.values:
        raise InvalidInput(_("Choose where the countries come from."), field="region_kind")
    if region_kind == ClusterRegion.CUSTOM:
        codes = sorted({c.iso3 if isinstance(c, Country) else str(c).upper() for c in countries})
        found = list(Country.objects.filter(iso3__in=codes))
        unknown = sorted(set(codes) - {c.iso3 for c in found})
        if unknown:
            raise InvalidInput(
                _("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)},
                field="countries",
            )
        if len(found) < 2:
            raise InvalidInput(_("A cluster spans at least two countries."), field="countries")
        return found
    found = list(Country.objects.filter(**{region_kind: region_name}))
    if not region_name or not found:
        raise InvalidInput(
            _("No country is in the %(kind)s “%(name)s”.")
            % {"kind": ClusterRegion(region_kind).label, "name": region_name},
            field="region_name",
        )
    return found


@transaction.atomic
def cluster_propose(
    *,
    user,
    organisation: Organisation,
    name: str,
    description: str = "",
    region_kind: str,
    region_name: str = "",
    countries: Iterable = (),
    domains: Iterable[str],
) -> Cluster:
    """A proposed cluster, for an editor to decide on; the proposer joins it on approval."""
    require_owner(user, organisation)
    # Translators: ends "Only members of the alliance can …"
    require_alliance_member(organisation, _("propose clusters"))
    name = _text(name, "name", required=True, single=True)
    if len(name) > NAME_MAX:
        raise InvalidInput(_("At most %(max)s characters.") % {"max": NAME_MAX}, field="name")
    description = _text(description, "description", required=False)
    domains = _domains(domains)
    region_name = region_name.strip() if region_kind != ClusterRegion.CUSTOM else ""
    chosen = region_countries(region_kind, region_name, countries)
    taken = (
        Cluster.objects.select_for_update()
        .exclude(status=ClusterStatus.DECLINED)
        .filter(name__iexact=name)
        .first()
    )
    if taken is not None:
        raise DomainError(
            _("A cluster named %(name)s already exists (%(status)s).")
            % {"name": taken.name, "status": taken.get_status_display().lower()},
            code="name_taken",
        )
    cluster = Cluster.objects.create(
        slug=unique_slug(Cluster, name),
        name=name,
        description=description,
        region_kind=region_kind,
        region_name=region_name,
        domains=domains,
        proposed_by=organisation,
        proposed_by_user=user,
    )
    cluster.countries.set(chosen)
    return cluster


def _locked(cluster: Cluster, action: str, *, status: str) -> Cluster:
    cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
    if cluster.status != status:
        raise DomainError(
            NOT_PROPOSED[action]
            % {"name": cluster.name, "status": cluster.get_status_display().lower()},
            code="status",
        )
    return cluster


def _tell_proposer(cluster: Cluster, compose) -> None:
    """E-mail the proposing organisation's owners, each in their language: `compose()` gives
    the subject and the body, and is called with that language active."""
    owners = [
        m.user
        for m in Membership.objects.filter(
            organisation=cluster.proposed_by, role=Role.OWNER
        ).select_related("user")
    ]
    link = f"{settings.SITE_URL}{cluster.get_absolute_url()}"
    messages = []
    for lang, to in by_language(owners).items():
        with translation.override(lang):
            subject, body = compose()
            messages.append(
                (f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", f"{body}\n\n{link}", to)
            )
    if messages:
        mail_after_commit(messages)


def _joined(cluster: Cluster, organisation: Organisation) -> ClusterMember:
    member = ClusterMember.objects.create(cluster=cluster, organisation=organisation)
    registry_append(
        [
            Event(
                event="cluster.joined",
                **organisation_event_fields(organisation),
                digest=_member_digest(cluster, "joined"),
            )
        ]
    )
    return member


@transaction.atomic
def cluster_approve(*, user, cluster: Cluster) -> Cluster:
    """The cluster is open to members; the proposing organisation is its first member (if it
    is still an accepted member of the alliance)."""
    require_editor(user, DECIDE_PERM)
    cluster = _locked(cluster, "approved", status=ClusterStatus.PROPOSED)
    cluster.status = ClusterStatus.APPROVED
    cluster.decided_by, cluster.decided_at = user, timezone.now()
    cluster.decision_reason = ""
    cluster.save()
    registry_append(
        [
            Event(
                event="cluster.approved",
                identifier=f"cluster:{cluster.slug}",
                url=cluster.get_absolute_url(),
                digest=cluster_digest(cluster),
            )
        ]
    )
    proposer = cluster.proposed_by
    if proposer.alliance_memberships.filter(status="accepted").exists():
        _joined(cluster, proposer)
    _tell_proposer(
        cluster,
        lambda: (
            _("The cluster %(name)s is approved") % {"name": cluster.name},
            _(
                "An editor approved the cluster %(name)s that %(organisation)s proposed; other "
                "members of the alliance may now join it."
            )
            % {"name": cluster.name, "organisation": proposer.name},
        ),
    )
    suggestions_recompute_soon()  # clusters weigh in the suggestions
    return cluster


@transaction.atomic
def cluster_decline(*, user, cluster: Cluster, reason: str) -> Cluster:
    require_editor(user, DECIDE_PERM)
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput(_("Say why: a reason is required to decline a cluster."), field="reason")
    reason = _text(reason, "reason", required=True)
    cluster = _locked(cluster, "declined", status=ClusterStatus.PROPOSED)
    cluster.status = ClusterStatus.DECLINED
    cluster.decided_by, cluster.decided_at = user, timezone.now()
    cluster.decision_reason = reason
    cluster.save()
    _tell_proposer(
        cluster,
        lambda: (
            _("The cluster %(name)s was declined") % {"name": cluster.name},
            _("An editor declined the cluster %(name)s.") % {"name": cluster.name}
            + "\n\n"
            + _("The reason: %(reason)s") % {"reason": reason},
        ),
    )
    return cluster


def _approved(cluster: Cluster, action: str) -> Cluster:
    cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
    if cluster.status != ClusterStatus.APPROVED:
        raise DomainError(
            NOT_APPROVED[action]
            % {"name": cluster.name, "status": cluster.get_status_display().lower()},
            code="status",
        )
    return cluster


@transaction.atomic
def cluster_join(*, user, cluster: Cluster, organisation: Organisation) -> ClusterMember:
    require_owner(user, organisation)
    # Translators: ends "Only members of the alliance can …"
    require_alliance_member(organisation, _("join clusters"))
    cluster = _approved(cluster, "joined")
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    if ClusterMember.objects.current().filter(cluster=cluster, organisation=organisation).exists():
        raise DomainError(
            _("%(organisation)s is already in the cluster %(name)s.")
            % {"organisation": organisation.name, "name": cluster.name},
            code="already_joined",
        )
    member = _joined(cluster, organisation)
    suggestions_recompute_soon()  # clusters weigh in the suggestions
    return member


@transaction.atomic
def cluster_leave(*, user, cluster: Cluster, organisation: Organisation) -> ClusterMember:
    """An owner takes the organisation out of a cluster (whatever its standing in the
    alliance: leaving is never refused to a member of the cluster)."""
    require_owner(user, organisation)
    cluster = _approved(cluster, "left")
    member = (
        ClusterMember.objects.select_for_update()
        .current()
        .filter(cluster=cluster, organisation=organisation)
        .first()
    )
    if member is None:
        raise DomainError(
            _("%(organisation)s is not in the cluster %(name)s.")
            % {"organisation": organisation.name, "name": cluster.name},
            code="not_joined",
        )
    return cluster_member_leave(member)


def cluster_member_leave(member: ClusterMember) -> ClusterMember:
    """The organisation leaves the cluster, in the log (the caller locked the row and checked
    who acts: an owner, or the end of its membership of the alliance)."""
    member.left_at = timezone.now()
    member.save(update_fields=["left_at"])
    registry_append(
        [
            Event(
                event="cluster.left",
                **organisation_event_fields(member.organisation),
                digest=_member_digest(member.cluster, "left"),
            )
        ]
    )
    suggestions_recompute_soon()  # clusters weigh in the suggestions
    return member
