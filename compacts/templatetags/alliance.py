"""Template tags of the alliance: where an organisation stands, said where it matters."""

from django import template

from compacts.choices import MembershipStatus
from compacts.permissions import ALLIANCE_STATES, NOT_APPLIED

register = template.Library()


def _standing(organisation) -> str | None:
    """The organisation's latest membership status, read once per page and organisation."""
    from compacts.alliance.models import AllianceMembership

    cached = getattr(organisation, "_alliance_status", None)
    if cached is None:
        cached = (
            AllianceMembership.objects.filter(organisation=organisation)
            .order_by("-applied_at")
            .values_list("status", flat=True)
            .first()
        ) or ""
        organisation._alliance_status = cached
    return cached


@register.inclusion_tag("alliance/_not_a_member.html")
def alliance_notice(organisation):
    """A notice, where its members would publish or sign, that an organisation is not an
    accepted member of the alliance (nothing when it is)."""
    status = _standing(organisation) if organisation is not None else MembershipStatus.ACCEPTED
    if status == MembershipStatus.ACCEPTED:
        return {"organisation": None}
    return {
        "organisation": organisation,
        "state": ALLIANCE_STATES.get(status, NOT_APPLIED),
    }


@register.simple_tag
def alliance_status(organisation) -> str:
    """The organisation's standing in words: "is a member", "was declined"..."""
    status = _standing(organisation)
    return ALLIANCE_STATES.get(status, NOT_APPLIED)
