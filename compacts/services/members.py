"""Organisations and their members: create, edit, verify, invite, remove."""

from __future__ import annotations

import hashlib

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.accounts import has_verified_email
from aimai_site.errors import DomainError, InvalidInput
from aimai_site.languages import user_language
from aimai_site.mail import mail_after_commit
from aimai_site.validators import name_key
from compacts.choices import OrganisationKind, PublicationStatus, Role
from compacts.models import (
    Invitation,
    Membership,
    Need,
    Offer,
    Organisation,
    Party,
)
from compacts.permissions import (
    VERIFY_PERM,
    require_editor,
    require_owner,
)
from compacts.registry_names import (
    INDIVIDUAL_SLUG,
    is_individual,
    opaque_slug,
    organisation_event_fields,
)
from registry.merkle import canonical_json
from registry.models import Entry
from registry.services import Event, registry_append

LAST_OWNER = gettext_lazy("An organisation keeps at least one owner.")
NAME_TAKEN = gettext_lazy(
    "An organisation named “%(name)s” already exists. If it is yours, ask one of its owners to "
    "invite you; otherwise choose another name."
)


def unique_slug(model, name: str) -> str:
    """A slug from the name, numbered when it is taken (`name-2`, `name-3`...)."""
    base = slugify(name)[:70] or model._meta.model_name
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organisation_create(*, user, **fields) -> Organisation:
    """A new organisation, owned by the member who made it; unverified until an editor checks."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    if not has_verified_email(user):
        raise DomainError(_("Verify your e-mail address first."), code="unverified")
    fields.pop("slug", None)
    fields.pop("name_key", None)
    # a person's slug is random: URLs in the public log must not spell their name
    individual = fields.get("kind") == OrganisationKind.INDIVIDUAL
    slug = opaque_slug() if individual else unique_slug(Organisation, fields.get("name", ""))
    org = Organisation(slug=slug, **fields)
    _name_key_set(org)
    org.full_clean()
    _save_named(org)
    Membership.objects.create(organisation=org, user=user, role=Role.OWNER)
    return org


def _name_key_set(org: Organisation) -> None:
    """One organisation per name: a second submission of the same form (the Back button), or
    the same name in other case or punctuation, names the one that exists and creates nothing."""
    org.name_key = name_key(org.name)[:200]
    if org.name and not org.name_key:
        raise InvalidInput(_("A name needs at least one letter or digit."), field="name")
    existing = Organisation.objects.filter(name_key=org.name_key).exclude(pk=org.pk).first()
    if existing is not None:
        raise InvalidInput(NAME_TAKEN % {"name": existing.name}, field="name", code="name_taken")


def _save_named(org: Organisation, **kwargs) -> None:
    # two submissions at once both pass the check above; the constraint stops the second
    try:
        with transaction.atomic():
            org.save(**kwargs)
    except IntegrityError:
        existing = Organisation.objects.filter(name_key=org.name_key).exclude(pk=org.pk).first()
        if existing is None:
            raise
        raise InvalidInput(
            NAME_TAKEN % {"name": existing.name}, field="name", code="name_taken"
        ) from None


ORGANISATION_FIELDS = {"name", "kind", "country", "website", "description"}
IDENTITY_FIELDS = {"name", "kind", "country", "website"}  # a change needs a new verification


@transaction.atomic
def organisation_update(*, user, organisation: Organisation, **fields) -> Organisation:
    require_owner(user, organisation)
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    unknown = set(fields) - ORGANISATION_FIELDS
    if unknown:
        raise InvalidInput(
            _("Not editable: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            field="fields",
        )
    changed = {name for name, value in fields.items() if getattr(org, name) != value}
    for name, value in fields.items():
        setattr(org, name, value)
    _name_key_set(org)
    update = list(fields)
    if "name" in fields:
        update.append("name_key")
    if is_individual(org) and not INDIVIDUAL_SLUG.match(org.slug):
        org.slug = opaque_slug()  # now a person: a slug from the name would name them
        update.append("slug")
    org.full_clean()
    if org.verified and changed & IDENTITY_FIELDS:
        # an editor verified who the organisation is, not who it may later say it is
        org.verified_at, org.verified_by = None, None
        update += ["verified_at", "verified_by"]
    _save_named(org, update_fields=update or None)
    return org


def organisation_delete_refusal(org: Organisation) -> str | None:
    """Why an organisation cannot be deleted; None when it can. Only one made by mistake goes:
    nothing it did is public or binds anyone else."""
    if org.verified:
        return _("%(name)s is verified: a verified organisation stays on record.") % {
            "name": org.name
        }
    if Entry.objects.filter(
        identifier__in=[f"organisation:{org.slug}", f"member:{org.slug}"]
    ).exists():
        return _("%(name)s is in the transparency registry, which keeps every entry.") % {
            "name": org.name
        }
    if Party.objects.filter(organisation=org).exists():
        return _("%(name)s is a party to a compact: withdraw it from the compact first.") % {
            "name": org.name
        }
    for model in (Offer, Need):
        if model.objects.filter(organisation=org, status=PublicationStatus.PUBLISHED).exists():
            return _("%(name)s has a published offer or need: withdraw it first.") % {
                "name": org.name
            }
    return None


@transaction.atomic
def organisation_delete(*, user, organisation: Organisation) -> None:
    """An owner deletes an organisation made by mistake, with its drafts, members and
    invitations: only while it is unverified and nothing of it is public (see above)."""
    require_owner(user, organisation)
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    refused = organisation_delete_refusal(org)
    if refused:
        raise DomainError(_("Not deleted: %(why)s") % {"why": refused}, code="not_deletable")
    for model in (Offer, Need):  # drafts and withdrawn listings: protected, so deleted first
        model.objects.filter(organisation=org).delete()
    org.delete()


def _organisation_digest(org: Organisation, commitments: dict) -> str:
    """What an editor verified. Of a person, the name only as its commitment (an unsalted
    digest of a name could be guessed)."""
    document = {"slug": org.slug, "kind": org.kind, "country": org.country.iso3}
    if is_individual(org):
        document["name"] = commitments["name"]
    else:
        document |= {"name": org.name, "website": org.website}
    return hashlib.sha256(canonical_json(document)).hexdigest()


@transaction.atomic
def organisation_verify(*, user, organisation: Organisation) -> Organisation:
    require_editor(user, VERIFY_PERM)
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if org.verified:
        raise DomainError(
            _("%(name)s is already verified.") % {"name": org.name}, code="already_verified"
        )
    org.verified_at, org.verified_by = timezone.now(), user
    org.save(update_fields=["verified_at", "verified_by"])
    public = organisation_event_fields(org, commitment_key="name")
    registry_append(
        [
            Event(
                event="organisation.verified",
                digest=_organisation_digest(org, public["commitments"]),
                country=org.country.iso3,
                **public,
            )
        ]
    )
    return org


@transaction.atomic
def invitation_create(*, user, organisation: Organisation, email: str, role: str) -> Invitation:
    require_owner(user, organisation)
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise DomainError(
            _("%(email)s is already a member.") % {"email": email}, code="already_member"
        )
    if Invitation.objects.filter(
        organisation=organisation, email=email, accepted_at__isnull=True
    ).exists():
        raise DomainError(
            _("%(email)s is already invited.") % {"email": email}, code="already_invited"
        )
    invitation = Invitation(organisation=organisation, email=email, role=role, invited_by=user)
    invitation.full_clean()
    invitation.save()
    # the invitee's account, if the address already has one
    invitee = EmailAddress.objects.filter(email__iexact=email, verified=True).first()
    with translation.override(user_language(invitee.user if invitee else None)):
        subject = _("Join %(organisation)s") % {"organisation": organisation.name}
        body = _(
            "%(inviter)s invites you to join %(organisation)s on AI4NATIONS as %(role)s.\n\n"
            "Sign up or log in with this address, and accept the invitation on your dashboard."
        ) % {
            "inviter": user.email,
            "organisation": organisation.name,
            "role": invitation.get_role_display().lower(),
        }
    mail_after_commit(
        [(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body, [invitation.email])]
    )
    return invitation


@transaction.atomic
def invitation_accept(*, user, invitation: Invitation) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise DomainError(_("This invitation was already accepted."), code="accepted")
    if not EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists():
        raise Http404(_("No such invitation."))  # someone else's: as if it did not exist
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    membership, _created = Membership.objects.get_or_create(
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
