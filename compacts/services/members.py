"""Organisations and their members: create, edit, verify, invite, remove."""

from __future__ import annotations

import hashlib

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from aimai_site.accounts import has_verified_email
from aimai_site.errors import DomainError, InvalidInput
from aimai_site.mail import mail_after_commit
from compacts.choices import Role
from compacts.models import (
    Invitation,
    Membership,
    Organisation,
)
from compacts.permissions import (
    VERIFY_PERM,
    require_editor,
    require_owner,
)
from registry.merkle import canonical_json
from registry.services import Event, registry_append

LAST_OWNER = "An organisation keeps at least one owner."


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organisation_create(*, user, **fields) -> Organisation:
    """A new organisation, owned by the member who made it; unverified until an editor checks."""
    if not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    if not has_verified_email(user):
        raise DomainError("Verify your e-mail address first.", code="unverified")
    fields.pop("slug", None)
    org = Organisation(slug=_unique_slug(fields.get("name", "")), **fields)
    org.full_clean()
    org.save()
    Membership.objects.create(organisation=org, user=user, role=Role.OWNER)
    return org


ORGANISATION_FIELDS = {"name", "kind", "country", "website", "description"}
IDENTITY_FIELDS = {"name", "kind", "country", "website"}  # a change needs a new verification


@transaction.atomic
def organisation_update(*, user, organisation: Organisation, **fields) -> Organisation:
    require_owner(user, organisation)
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    unknown = set(fields) - ORGANISATION_FIELDS
    if unknown:
        raise InvalidInput(f"Not editable: {', '.join(sorted(unknown))}.", field="fields")
    changed = {name for name, value in fields.items() if getattr(org, name) != value}
    for name, value in fields.items():
        setattr(org, name, value)
    org.full_clean()
    update = list(fields)
    if org.verified and changed & IDENTITY_FIELDS:
        # an editor verified who the organisation is, not who it may later say it is
        org.verified_at, org.verified_by = None, None
        update += ["verified_at", "verified_by"]
    org.save(update_fields=update or None)
    return org


def _organisation_digest(org: Organisation) -> str:
    document = {
        "slug": org.slug,
        "name": org.name,
        "kind": org.kind,
        "country": org.country.iso3,
        "website": org.website,
    }
    return hashlib.sha256(canonical_json(document)).hexdigest()


@transaction.atomic
def organisation_verify(*, user, organisation: Organisation) -> Organisation:
    require_editor(user, VERIFY_PERM)
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if org.verified:
        raise DomainError(f"{org.name} is already verified.", code="already_verified")
    org.verified_at, org.verified_by = timezone.now(), user
    org.save(update_fields=["verified_at", "verified_by"])
    registry_append(
        [
            Event(
                event="organisation.verified",
                identifier=f"organisation:{org.slug}",
                url=org.get_absolute_url(),
                digest=_organisation_digest(org),
                organisation=org.name[:200],
                country=org.country.iso3,
            )
        ]
    )
    return org


@transaction.atomic
def invitation_create(*, user, organisation: Organisation, email: str, role: str) -> Invitation:
    require_owner(user, organisation)
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise DomainError(f"{email} is already a member.", code="already_member")
    if Invitation.objects.filter(
        organisation=organisation, email=email, accepted_at__isnull=True
    ).exists():
        raise DomainError(f"{email} is already invited.", code="already_invited")
    invitation = Invitation(organisation=organisation, email=email, role=role, invited_by=user)
    invitation.full_clean()
    invitation.save()
    mail_after_commit(
        [
            (
                f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Join {organisation.name}",
                f"{user.email} invites you to join {organisation.name} on AI4NATIONS as "
                f"{invitation.get_role_display().lower()}.\n\n"
                "Sign up or log in with this address, and accept the invitation on your "
                "dashboard.",
                [invitation.email],
            )
        ]
    )
    return invitation


@transaction.atomic
def invitation_accept(*, user, invitation: Invitation) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise DomainError("This invitation was already accepted.", code="accepted")
    if not EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists():
        raise Http404("No such invitation.")  # someone else's: as if it did not exist
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    membership, _ = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    return membership


@transaction.atomic
def membership_remove(*, user, membership: Membership) -> None:
    """An owner removes a member (or a member leaves); the last owner cannot go."""
    if membership.user_id != getattr(user, "pk", None):
        require_owner(user, membership.organisation)
    owners = Membership.objects.select_for_update().filter(
        organisation=membership.organisation, role=Role.OWNER
    )
    if membership.role == Role.OWNER and owners.count() <= 1:
        raise DomainError(LAST_OWNER, code="last_owner")
    membership.delete()
