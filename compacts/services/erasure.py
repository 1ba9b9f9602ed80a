"""Erasure at a person's request: what the platform holds about them goes; the public log
stays as it is, every proof valid.

The log shows a person only as salted commitments (see compacts/registry_names.py). Erasing
forgets each commitment's salt and value, withholds any entry that still names them (entries
written before individuals were kept out of the log), anonymises their individual
organisation and strips the account of everything personal. Rows that public records point
to (a signature, a report, a transition, all PROTECT) are kept, attributed to an account that
no longer says who it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from aimai_site.errors import InvalidInput
from aimai_site.models import ApiToken
from aimai_site.validators import name_key
from compacts.alliance.services import membership_close
from compacts.choices import OrganisationKind, Role
from compacts.models import AllianceMembership, Invitation, Organisation
from compacts.registry_names import INDIVIDUAL_SLUG, opaque_slug
from registry.services import commitments_erase, registry_withhold_naming

ERASED_NAME = "Former member"


@dataclass(frozen=True)
class Erasure:
    """What an erasure did, for the operator or the member to read."""

    withheld: list[int]  # leaf indexes of the entries withheld
    commitments: int  # commitments whose salt and value were forgotten
    organisations: int  # individual organisations anonymised


def _individual_organisations(user) -> list[Organisation]:
    """The organisations in which the person takes part in their own name."""
    owned = Organisation.objects.filter(
        kind=OrganisationKind.INDIVIDUAL, memberships__user=user, memberships__role=Role.OWNER
    )
    return list(Organisation.objects.select_for_update().filter(pk__in=owned.values("pk")))


@transaction.atomic
def person_erase(*, user, reason: str) -> Erasure:
    """Erase a person at their request (or the account's deletion): their commitments, any
    entry naming them (withheld, with an `entry.withheld` entry each), their individual
    organisations' names and descriptions, their e-mail addresses, names, tokens and second
    factors; the account is deactivated, never deleted."""
    if not reason.strip():
        raise InvalidInput(_("Say why the person is erased."), field="reason")
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    emails = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    emails.discard("")
    organisations = _individual_organisations(user)
    names = [org.name for org in organisations if org.name != ERASED_NAME]
    if user.get_full_name().strip():
        names.append(user.get_full_name().strip())
    # what entries written before individuals left the log may hold: names and their slugs
    texts = [*names, *(slugify(name) for name in names), *emails]
    texts += [org.slug for org in organisations if not INDIVIDUAL_SLUG.match(org.slug)]
    # a person's membership of the alliance ends with them (its entry names no one)
    for membership in AllianceMembership.objects.open().filter(organisation__in=organisations):
        membership_close(membership, "Ended at the member's request for erasure.")
    # what they wrote when they applied may say who they are
    AllianceMembership.objects.filter(organisation__in=organisations).update(reason="")
    withheld = registry_withhold_naming(texts, reason.strip())
    erased = commitments_erase(user=user, values=[*names, *emails])
    for org in organisations:
        org.name, org.description, org.website = ERASED_NAME, "", ""
        org.name_key = name_key(f"{ERASED_NAME} {org.pk}")  # the old key spelled the name
        if not INDIVIDUAL_SLUG.match(org.slug):
            org.slug = opaque_slug()
        org.save(update_fields=["name", "name_key", "description", "website", "slug"])
    placeholder = f"erased-{user.pk}@erased.invalid"
    Invitation.objects.filter(email__in=emails, accepted_at__isnull=True).delete()
    Invitation.objects.filter(email__in=emails).update(email=placeholder)
    EmailAddress.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.username = f"erased-{user.pk}"
    user.email = user.first_name = user.last_name = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return Erasure(withheld=withheld, commitments=erased, organisations=len(organisations))
