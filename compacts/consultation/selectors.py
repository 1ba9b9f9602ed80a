"""Reads of the consultation: the list, a proposal's page, and what the methodology page's
changelog says of the versions adopted from proposals."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compacts.choices import OrganisationKind
from compacts.consultation.models import (
    MethodologyProposal,
    ProposalComment,
    ProposalStatus,
    ProposalSupport,
)
from compacts.consultation.services import DECIDE_PERM
from compacts.consultation.shifts import movers_of
from compacts.models import Organisation
from countries.models import Country
from countries.names import country_name
from registry.models import Entry

INDIVIDUAL_MEMBER = gettext_lazy("An individual member")
STATUS_FILTERS = [("", gettext_lazy("All"))] + [
    (value, label) for value, label in ProposalStatus.choices
]


def version_proposals(version_ids: list[int]) -> dict[int, dict]:
    """{methodology version id: the proposal it was adopted from}, in one query (the
    methodology page's changelog links each version to its proposal and decision)."""
    rows = MethodologyProposal.objects.filter(adopted_version_id__in=list(version_ids)).values(
        "pk", "title", "status", "decided_at", "adopted_version_id"
    )
    labels = dict(ProposalStatus.choices)
    return {
        row["adopted_version_id"]: {
            "number": row["pk"],
            "title": row["title"],
            "url": f"/methodology/proposals/{row['pk']}/",
            "decision": labels[row["status"]].lower(),
            "decided_at": row["decided_at"],
        }
        for row in rows
    }


def speaker(org: Organisation | None) -> str:
    """How a page names the member a proposal or a comment is from: an organisation by its
    name, a person never (the same rule as the log)."""
    if org is None:
        return _("A former member")
    return str(INDIVIDUAL_MEMBER) if org.kind == OrganisationKind.INDIVIDUAL else org.name


def member_organisations(user):
    """The user's organisations that are accepted members of the alliance."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(memberships__user=user, alliance_memberships__status="accepted")
        .distinct()
        .order_by("name")
    )


def proposals_list(status: str = ""):
    found = (
        MethodologyProposal.objects.select_related("base_version__methodology", "organisation")
        .defer("definition", "source", "shifts")
        .annotate(
            support_count=Count("supports", distinct=True),
            comment_count=Count(
                "comments", filter=Q(comments__hidden_at__isnull=True), distinct=True
            ),
        )
        .public_order()
    )
    if status in ProposalStatus.values:
        found = found.filter(status=status)
    return found


def _named(rows: list[dict]) -> list[dict]:
    names = {
        iso3: country_name(iso2, name)
        for iso3, iso2, name in Country.objects.filter(
            iso3__in=[r["country"] for r in rows]
        ).values_list("iso3", "iso2", "name")
    }
    return [{**row, "name": names.get(row["country"], row["country"])} for row in rows]


def shifts_named(rows: list[dict]) -> list[dict]:
    """Rank shifts with each country's name, as the pages show them."""
    return _named(rows)


def proposal_entries(proposal: MethodologyProposal):
    """The log's entries about the proposal, oldest first."""
    base = proposal.log_identifier
    return Entry.objects.filter(Q(identifier=base) | Q(identifier__startswith=f"{base}:")).order_by(
        "leaf_index"
    )


def proposal_page(user, proposal: MethodologyProposal) -> dict:
    """What a proposal's page shows, and which actions it offers the reader."""
    comments = list(
        ProposalComment.objects.filter(proposal=proposal).select_related("organisation")
    )
    for comment in comments:
        comment.speaker = speaker(comment.organisation)
    signed_in = user.is_authenticated
    supporting = signed_in and ProposalSupport.objects.filter(proposal=proposal, user=user).exists()
    members = list(member_organisations(user))
    is_editor = signed_in and user.has_perm(DECIDE_PERM)
    shifts = _named(proposal.shifts)
    return {
        "proposal": proposal,
        "author_name": speaker(proposal.organisation),
        "movers": _named(movers_of(proposal.shifts, 10)),
        "shifts": shifts,
        "moved_count": sum(1 for s in shifts if s["moved"]),
        "comments": comments,
        "support_count": ProposalSupport.objects.filter(proposal=proposal).count(),
        "supporting": supporting,
        "entries": list(proposal_entries(proposal)),
        "member_organisations": members,
        "can_comment": proposal.is_open and bool(members),
        "can_support": proposal.is_open and signed_in,
        "can_withdraw": proposal.is_open and signed_in and proposal.author_id == user.pk,
        "can_moderate": is_editor,
        "can_decide": is_editor and proposal.status == ProposalStatus.CLOSED,
        "is_editor": is_editor,
    }
