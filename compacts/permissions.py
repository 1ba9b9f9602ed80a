"""Who may do what, for forms, pages and the API alike. Services call `require()` before they
change anything, so no interface can forget a check; fetch helpers return 404 for what a user
cannot see, so a guessed id from another organisation looks like one that does not exist.

    organisations   any signed-in member creates one (and owns it); owners edit, invite and
                    remove; editors verify
    the alliance    owners apply, endorse the principles and end a membership; editors accept,
                    decline, suspend and reinstate; only accepted members publish offers and
                    needs and sign compacts
    offers, needs   members of the organisation draft and edit; owners publish and withdraw
    compacts        members of a party draft and edit; owners of a party propose, sign (for
                    their party), submit, complete, withdraw and terminate; editors approve,
                    return and terminate; members of a party file progress reports, and each
                    party's owner confirms them
    parties         a party's resources are written by its own members; only a party's own
                    owner withdraws it, except that in a draft the other parties' members may
                    take back the naming of a party that has not joined yet
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from compacts import lifecycle
from compacts.choices import Role
from compacts.models import Compact, Membership, Need, Offer, Organisation, Party

NOT_SIGNED_IN = gettext_lazy("Sign in first.")
NOT_MEMBER = gettext_lazy("Only members of %(org)s can do this.")
NOT_OWNER = gettext_lazy("Only an owner of %(org)s can do this.")
NOT_PARTY_OWNER = gettext_lazy("Only an owner of a party to this compact can do this.")
NOT_EDITOR = gettext_lazy("Only an editor of the alliance can do this.")
NOT_ALLIANCE_MEMBER = gettext_lazy(
    "Only members of the alliance can %(action)s: %(org)s %(state)s. Apply to join at /join/."
)

VERIFY_PERM = "compacts.verify_organisation"
REVIEW_PERM = "compacts.review_compact"


def role_in(user, organisation: Organisation) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def _signed_in(user) -> None:
    if not user.is_authenticated:
        raise PermissionDenied(str(NOT_SIGNED_IN))


def require_member(user, organisation: Organisation) -> None:
    _signed_in(user)
    if role_in(user, organisation) is None:
        raise PermissionDenied(NOT_MEMBER % {"org": organisation.name})


def require_owner(user, organisation: Organisation) -> None:
    _signed_in(user)
    if role_in(user, organisation) != Role.OWNER:
        raise PermissionDenied(NOT_OWNER % {"org": organisation.name})


def require_editor(user, perm: str) -> None:
    _signed_in(user)
    if not user.has_perm(perm):
        raise PermissionDenied(str(NOT_EDITOR))


# where an organisation stands, as the end of a sentence that starts with its name
ALLIANCE_STATES = {
    "accepted": pgettext_lazy("an organisation", "is a member"),
    "applied": pgettext_lazy("an organisation", "has applied and awaits an editor's decision"),
    "declined": pgettext_lazy("an organisation", "was declined"),
    "suspended": pgettext_lazy("an organisation", "is suspended"),
    "lapsed": pgettext_lazy(
        "an organisation", "has a lapsed membership (the current principles are not endorsed)"
    ),
    "ended": pgettext_lazy("an organisation", "ended its membership"),
}
NOT_APPLIED = pgettext_lazy("an organisation", "has not applied to join")


def alliance_state(organisation: Organisation) -> str:
    """Where an organisation stands with the alliance, in words that end a sentence."""
    from compacts.alliance.models import AllianceMembership

    status = (
        AllianceMembership.objects.filter(organisation=organisation)
        .order_by("-applied_at")
        .values_list("status", flat=True)
        .first()
    )
    return ALLIANCE_STATES[status] if status else NOT_APPLIED


def alliance_statuses_prime(organisations) -> None:
    """Read the latest alliance status of many organisations at once, for pages that show each
    (kept on the instance, where the alliance template tags look first)."""
    from compacts.alliance.models import AllianceMembership

    organisations = list(organisations)
    latest: dict[int, str] = {}
    for org_id, status in (
        AllianceMembership.objects.filter(organisation__in=organisations)
        .order_by("applied_at", "pk")
        .values_list("organisation_id", "status")
    ):
        latest[org_id] = status
    for org in organisations:
        org._alliance_status = latest.get(org.pk, "")


def is_alliance_member(organisation: Organisation) -> bool:
    return organisation.alliance_memberships.filter(status="accepted").exists()


def require_alliance_member(organisation: Organisation, action: str) -> None:
    """Publishing offers and needs and signing compacts are for accepted members."""
    if not is_alliance_member(organisation):
        raise PermissionDenied(
            NOT_ALLIANCE_MEMBER
            % {"action": action, "org": organisation.name, "state": alliance_state(organisation)}
        )


def party_member(user, compact: Compact) -> bool:
    return (
        user.is_authenticated
        and compact.parties.filter(organisation__memberships__user=user).exists()
    )


def owned_parties(user, compact: Compact):
    if not user.is_authenticated:
        return Party.objects.none()
    return compact.parties.filter(
        organisation__memberships__user=user, organisation__memberships__role=Role.OWNER
    )


def require_party_member(user, compact: Compact) -> None:
    _signed_in(user)
    if not party_member(user, compact):
        raise PermissionDenied(_("Only members of a party to this compact can do this."))


def require_compact_action(user, compact: Compact, action: str, party: Party | None = None):
    """Check the actor of a lifecycle action (the state is the lifecycle's business)."""
    _signed_in(user)
    actor = lifecycle.TRANSITIONS[action].actor if action in lifecycle.TRANSITIONS else None
    owner = owned_parties(user, compact)
    if party is not None:
        owner = owner.filter(pk=party.pk)
    is_owner = owner.exists()
    is_editor = user.has_perm(REVIEW_PERM)
    allowed = {
        lifecycle.PARTY_OWNER: is_owner,
        lifecycle.EDITOR: is_editor,
        lifecycle.EITHER: is_owner or is_editor,
    }.get(actor, is_owner)
    if not allowed:
        raise PermissionDenied(str(NOT_EDITOR if actor == lifecycle.EDITOR else NOT_PARTY_OWNER))


def require_resource_writer(user, party: Party) -> None:
    """What a party commits is its own to write, change or take back."""
    _signed_in(user)
    if role_in(user, party.organisation) is None:
        raise PermissionDenied(
            _("Only members of %(org)s can change what it commits.")
            % {"org": party.organisation.name}
        )


def require_party_withdrawal(user, party: Party, *, only_named: bool) -> None:
    """A party's own owner withdraws it. A party only named in a draft (it committed nothing and
    never signed) may also be taken off by a member of another party: the naming is taken back,
    with nothing of the named party's lost."""
    require_party_member(user, party.compact)
    role = role_in(user, party.organisation)
    if role == Role.OWNER:
        return
    if only_named and role is None and party.compact.status == lifecycle.DRAFT:
        return
    raise PermissionDenied(
        _("Only an owner of %(org)s can withdraw it from this compact.")
        % {"org": party.organisation.name}
    )


# fetch helpers: 404 for what the user cannot see -------------------------------------------


def organisation_for_member(user, slug: str) -> Organisation:
    org = Organisation.objects.filter(slug=slug).first()
    if org is None or (role_in(user, org) is None and not user.has_perm(VERIFY_PERM)):
        raise Http404(_("No such organisation."))
    return org


def listing_for_user(model: type[Offer] | type[Need], user, pk) -> Offer | Need:
    found = model.objects.visible_to(user).filter(pk=pk).select_related("organisation").first()
    if found is None:
        raise Http404(_("No such offer.") if model is Offer else _("No such need."))
    return found


def compact_for_user(user, pk) -> Compact:
    found = Compact.objects.visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such compact."))
    return found
