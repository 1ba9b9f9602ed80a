"""Reads of the member directory: who the public sees as members of the alliance, and what a
member's page shows. A member is an organisation (a person taking part alone is one of kind
"individual") with an accepted membership; individuals are shown only if they opted in.

Rows are alliance memberships, each with its organisation, country and latest endorsement,
so that a list of members costs the same few queries however long it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from compacts.alliance.models import AllianceMembership, Endorsement, OversightRole, Principles
from compacts.choices import Domain, Role, Way
from compacts.indicator import compacts_counted_for
from compacts.models import Compact, Organisation


def listed_members() -> QuerySet[AllianceMembership]:
    """The members the public sees, by organisation name: accepted organisations and the
    individuals who chose to be listed. Declined, suspended, lapsed, ended and pending
    applications are not members."""
    endorsements = Endorsement.objects.select_related("principles").order_by("-principles__version")
    return (
        AllianceMembership.objects.listed()
        .select_related("organisation__country")
        .prefetch_related(Prefetch("endorsements", endorsements, to_attr="endorsements_latest"))
        .order_by("organisation__name", "pk")
    )


def members_of(organisations: QuerySet[Organisation] | list) -> QuerySet[AllianceMembership]:
    """The listed members among `organisations` (a queryset or a list of organisations or
    ids): for any page that shows a group of organisations as members."""
    return listed_members().filter(organisation__in=organisations)


def member_get(slug: str) -> AllianceMembership:
    """A listed member by its organisation's slug; 404 for anyone the directory does not list."""
    found = listed_members().filter(organisation__slug=slug).first()
    if found is None:
        raise Http404(_("No such member of the alliance."))
    return found


@dataclass(frozen=True)
class EndorsementState:
    """Which version of the principles a member endorsed, against the current one."""

    version: int | None  # the latest endorsed, None if none
    endorsed_at: object
    current: int | None  # the current version, None before any is published

    @property
    def is_current(self) -> bool:
        return self.version is not None and self.version == self.current

    @property
    def words(self) -> str:
        if self.current is None:
            return _("The alliance has not published its principles yet.")
        if self.is_current:
            return _("Endorsed the current principles (version %(version)s).") % {
                "version": self.current
            }
        return _("Has not yet endorsed version %(version)s of the principles.") % {
            "version": self.current
        }


def endorsement_state(membership: AllianceMembership, current: int | None) -> EndorsementState:
    latest = getattr(membership, "endorsements_latest", None)
    if latest is None:  # not fetched through listed_members()
        found = membership.endorsement()
        latest = [found] if found else []
    if not latest:
        return EndorsementState(None, None, current)
    return EndorsementState(latest[0].principles.version, latest[0].endorsed_at, current)


def current_principles_version() -> int | None:
    return Principles.objects.order_by("-version").values_list("version", flat=True).first()


def _labels(words: list[str], choices) -> list[str]:
    labels = dict(choices.choices)
    return [labels.get(word, word) for word in words]


def members_described(memberships, current: int | None = None) -> list[AllianceMembership]:
    """Each membership with `endorsement` (an EndorsementState) and the labels of its ways
    and domains, for a list page. `current` is the current principles version (read once if
    not given)."""
    memberships = list(memberships)
    if current is None:
        current = current_principles_version()
    for membership in memberships:
        membership.endorsement_state = endorsement_state(membership, current)
        membership.way_labels = _labels(membership.ways, Way)
        membership.domain_labels = _labels(membership.domains, Domain)
    return memberships


def _counted_here(organisation: Organisation) -> list[Compact]:
    """The compacts counted in the index for the member's country in which the member itself
    commits something, each with `points` (what the compact adds to the country's value)."""
    counted = []
    for compact in compacts_counted_for(organisation.country.iso3):
        own_parties = {p.pk for p in compact.parties.all() if p.organisation_id == organisation.pk}
        if any(resource.party_id in own_parties for resource in compact.resources.all()):
            counted.append(compact)
    return counted


def oversight_roles(organisation: Organisation) -> list[OversightRole]:
    """The member's oversight roles, current first; a witness's with its co-signatures
    counted (each one a tree head of the log it checked)."""
    return list(
        organisation.oversight_roles.select_related("witness")
        .annotate(cosigned=Count("witness__cosignatures"))
        .order_by(F("until").desc(nulls_first=True), "-since")
    )


def member_page(membership: AllianceMembership) -> dict:
    """Everything a member's page shows; all of it public."""
    organisation = membership.organisation
    (membership,) = members_described([membership])
    compacts = list(
        Compact.objects.public()
        .filter(parties__organisation=organisation)
        .distinct()
        .prefetch_related("countries", "parties__organisation")
        .order_by("-activated_at", "-pk")
    )
    roles: dict[int, list[str]] = {}
    for compact in compacts:
        for party in compact.parties.all():
            if party.organisation_id == organisation.pk:
                roles.setdefault(compact.pk, []).append(party.get_role_display())
    for compact in compacts:
        compact.member_roles = roles.get(compact.pk, [])
    return {
        "membership": membership,
        "organisation": organisation,
        "offers": list(organisation.offers.published().order_by("-published_at", "-pk")),
        "needs": list(
            organisation.needs.published().select_related("country").order_by("-published_at")
        ),
        "compacts": compacts,
        "counted": _counted_here(organisation),
        "oversight": oversight_roles(organisation),
    }


def endorsements_due(user) -> tuple[Principles | None, list[AllianceMembership]]:
    """The current principles and the accepted memberships of organisations the user owns that
    have not endorsed them yet: each lapses at `principles.renew_by` unless endorsed."""
    current = Principles.objects.current()
    if current is None:
        return None, []
    due = (
        AllianceMembership.objects.accepted()
        .filter(organisation__memberships__user=user, organisation__memberships__role=Role.OWNER)
        .exclude(endorsements__principles=current)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return current, list(due)
