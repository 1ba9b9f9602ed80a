"""Writes of the alliance: principles versions, applications, decisions, endorsements.

Every function checks who acts before it changes anything and runs in one transaction.
Accepting, suspending, reinstating, renewing, lapsing and ending a membership are entries of
the transparency log, as is each principles version; an individual enters the log only as a
salted commitment (see `compacts.registry_names`). A declined application is not logged: the
applicant is told, with the reason, and may appeal once through a concern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from aimai_site.accounts import has_verified_email
from aimai_site.errors import DomainError, InvalidInput
from aimai_site.mail import mail_after_commit
from aimai_site.validators import plain_text
from compacts.alliance.models import AllianceMembership, Endorsement, Principles
from compacts.alliance.principles import (
    principles_clean,
    principles_digest,
    principles_document,
)
from compacts.choices import OPEN_MEMBERSHIP, Domain, MembershipStatus, OrganisationKind, Role, Way
from compacts.models import Membership, Organisation
from compacts.permissions import require_editor, require_owner
from compacts.registry_names import organisation_event_fields
from registry.services import Event, registry_append

DECIDE_PERM = "compacts.decide_membership"
PUBLISH_PERM = "compacts.publish_principles"

STATUS_REFUSED = "The membership of {org} is {status}: it cannot be {action}."
ENDORSE_FIRST = "Read the principles and endorse them to apply."
PRINCIPLES_MOVED = (
    "The principles changed to version {current} while you were reading version {read}: "
    "read the new version and endorse it."
)
NO_PRINCIPLES = "The alliance has not published its principles yet."


def _words(values: Iterable[str], allowed, field: str, *, required: bool) -> list[str]:
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise InvalidInput("A list of words.", field=field)
    values = sorted(set(values))
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise InvalidInput(f"Unknown: {', '.join(unknown)}.", field=field)
    if required and not values:
        raise InvalidInput("Choose at least one.", field=field)
    return values


def _reason(text: str, action: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise InvalidInput(
            f"Say why: a reason is required to {action} a membership.", field="reason"
        )
    try:
        plain_text(text)  # it is e-mailed and shown: no control or direction characters
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="reason") from None
    return text


def _locked(membership: AllianceMembership, allowed: set[str], action: str) -> AllianceMembership:
    membership = (
        AllianceMembership.objects.select_for_update()
        .select_related("organisation__country")
        .get(pk=membership.pk)
    )
    if membership.status not in allowed:
        raise DomainError(
            STATUS_REFUSED.format(
                org=membership.organisation.name,
                status=membership.get_status_display().lower(),
                action=action,
            ),
            code="status",
        )
    return membership


def _log(membership: AllianceMembership, event: str) -> None:
    org = membership.organisation
    endorsement = membership.endorsement()
    registry_append(
        [
            Event(
                event=f"membership.{event}",
                **organisation_event_fields(org),
                digest=principles_digest(
                    {
                        "membership": membership.pk,
                        "status": membership.status,
                        "principles": endorsement.principles.digest if endorsement else "",
                    }
                ),
            )
        ]
    )


def _owners_emails(org: Organisation) -> list[str]:
    return list(
        Membership.objects.filter(organisation=org, role=Role.OWNER).values_list(
            "user__email", flat=True
        )
    )


def _tell(membership: AllianceMembership, subject: str, body: str) -> None:
    to = _owners_emails(membership.organisation)
    if to:
        mail_after_commit(
            [
                (
                    f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
                    body + f"\n\nYour membership: {settings.SITE_URL}/join/membership/",
                    to,
                )
            ]
        )


# principles ------------------------------------------------------------------------------


@transaction.atomic
def principles_publish(
    *, user, principles: list[dict], note: str = "", renewal_days: int = 90
) -> Principles:
    """A new version of the principles: logged, and every member asked to endorse it."""
    require_editor(user, PUBLISH_PERM)
    principles = principles_clean(principles)
    if not (note or "").strip():
        raise InvalidInput("Say what changed in this version.", field="note")
    if not isinstance(renewal_days, int) or renewal_days < 7:
        raise InvalidInput("Give members at least 7 days to endorse.", field="renewal_days")
    current = Principles.objects.select_for_update().order_by("-version").first()
    version = (current.version if current else 0) + 1
    document = principles_document(version, principles, note.strip(), renewal_days)
    if current and current.principles == principles:
        raise DomainError("The text is the same as the current version.", code="unchanged")
    created = Principles.objects.create(
        version=version,
        principles=principles,
        note=note.strip(),
        renewal_days=renewal_days,
        digest=principles_digest(document),
        published_by=user,
    )
    registry_append(
        [
            Event(
                event="principles.published",
                identifier=f"principles@{version}",
                url=created.get_absolute_url(),
                digest=created.digest,
            )
        ]
    )
    recipients = sorted(
        set(
            Membership.objects.filter(
                role=Role.OWNER,
                organisation__alliance_memberships__status=MembershipStatus.ACCEPTED,
            ).values_list("user__email", flat=True)
        )
    )
    if recipients:
        mail_after_commit(
            [
                (
                    f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}The principles changed: "
                    f"please endorse version {version}",
                    f"The alliance published version {version} of its principles.\n\n"
                    f"What changed: {created.note}\n\n"
                    f"Read and endorse it by {created.renew_by:%d %B %Y}, or the membership "
                    f"lapses: {settings.SITE_URL}{created.get_absolute_url()}",
                    [email],
                )
                for email in recipients
            ]
        )
    return created


def _current_principles(read_version: int | None) -> Principles:
    current = Principles.objects.current()
    if current is None:
        raise DomainError(NO_PRINCIPLES, code="no_principles")
    if read_version is not None and int(read_version) != current.version:
        raise DomainError(
            PRINCIPLES_MOVED.format(current=current.version, read=read_version),
            code="principles_changed",
        )
    return current


# applications ----------------------------------------------------------------------------


def _own_individual(user, new_organisation: dict) -> Organisation | None:
    """A person applies as an individual once: a second application (after a decline or an
    end, or by mistake while one is open) is for the individual organisation they have."""
    if new_organisation.get("kind") != OrganisationKind.INDIVIDUAL:
        return None
    return (
        Organisation.objects.select_for_update()
        .filter(
            kind=OrganisationKind.INDIVIDUAL, memberships__user=user, memberships__role=Role.OWNER
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def membership_apply(
    *,
    user,
    organisation: Organisation | None = None,
    new_organisation: dict | None = None,
    reason: str,
    ways: list[str],
    domains: list[str] = (),
    listed: bool = True,
    endorse: bool,
    principles_version: int | None = None,
) -> AllianceMembership:
    """Apply to join: for an organisation the applicant owns, for a new one, or as an
    individual (`new_organisation` of kind "individual": the person's own name and country).
    The current principles must be endorsed, as read."""
    from compacts.services.members import organisation_create

    if not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    if not has_verified_email(user):
        raise DomainError("Verify your e-mail address before applying.", code="unverified")
    if not endorse:
        raise InvalidInput(ENDORSE_FIRST, field="endorse")
    principles = _current_principles(principles_version)
    if not (reason or "").strip():
        raise InvalidInput("Say why you join.", field="reason")
    ways = _words(ways, Way.values, "ways", required=True)
    domains = _words(domains, Domain.values, "domains", required=False)
    if (organisation is None) == (new_organisation is None):
        raise InvalidInput("Apply for one organisation, or as an individual.", field="organisation")
    if organisation is None:
        organisation = _own_individual(user, new_organisation) or organisation_create(
            user=user, **new_organisation
        )
    else:
        require_owner(user, organisation)
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    current = AllianceMembership.objects.open().filter(organisation=organisation).first()
    if current is not None:
        raise DomainError(
            f"{organisation.name} already has a membership "
            f"({current.get_status_display().lower()}): see it on your memberships page, "
            "/join/membership/.",
            code="already_applied",
        )
    individual = organisation.kind == OrganisationKind.INDIVIDUAL
    membership = AllianceMembership(
        organisation=organisation,
        applicant=user,
        reason=reason.strip(),
        ways=ways,
        domains=domains,
        listed=bool(listed) if individual else True,
    )
    membership.full_clean()
    membership.save()
    Endorsement.objects.create(membership=membership, principles=principles, endorsed_by=user)
    return membership


@transaction.atomic
def membership_accept(
    *, user, membership: AllianceMembership, reason: str = ""
) -> AllianceMembership:
    require_editor(user, DECIDE_PERM)
    membership = _locked(membership, {MembershipStatus.APPLIED}, "accepted")
    now = timezone.now()
    membership.status = MembershipStatus.ACCEPTED
    membership.status_reason = _reason(reason, "accept", required=False)
    membership.decided_at = membership.accepted_at = membership.changed_at = now
    membership.decided_by = user
    membership.save()
    _log(membership, "accepted")
    _tell(
        membership,
        f"Welcome to AI4NATIONS: {membership.organisation.name} is a member",
        f"An editor accepted the application of {membership.organisation.name}. "
        "You can now publish offers and needs and sign compacts."
        + _awaiting_verification(membership.organisation)
        + (f"\n\n{membership.status_reason}" if membership.status_reason else ""),
    )
    return membership


def _awaiting_verification(org: Organisation) -> str:
    if org.verified or org.kind == OrganisationKind.INDIVIDUAL:
        return ""
    return (
        f" One step remains: an editor verifies who {org.name} is. Until then it signs no"
        " compact and the member directory does not list it."
    )


@transaction.atomic
def membership_decline(*, user, membership: AllianceMembership, reason: str) -> AllianceMembership:
    require_editor(user, DECIDE_PERM)
    reason = _reason(reason, "decline")
    membership = _locked(membership, {MembershipStatus.APPLIED}, "declined")
    membership.status = MembershipStatus.DECLINED
    membership.status_reason = reason
    membership.decided_at = membership.changed_at = timezone.now()
    membership.decided_by = user
    membership.save()
    _tell(
        membership,
        f"Your application for {membership.organisation.name} was declined",
        f"An editor declined the application of {membership.organisation.name}.\n\n"
        f"The reason: {reason}\n\n"
        "You may appeal once: file a concern about this decision at "
        f"{settings.SITE_URL}/registry/concerns/new/?target=membership"
        f"&reference=membership-{membership.pk}",
    )
    return membership


@transaction.atomic
def membership_suspend(*, user, membership: AllianceMembership, reason: str) -> AllianceMembership:
    require_editor(user, DECIDE_PERM)
    reason = _reason(reason, "suspend")
    membership = _locked(
        membership, {MembershipStatus.ACCEPTED, MembershipStatus.LAPSED}, "suspended"
    )
    membership.status = MembershipStatus.SUSPENDED
    membership.status_reason = reason
    membership.changed_at = timezone.now()
    membership.save()
    _log(membership, "suspended")
    _tell(
        membership,
        f"The membership of {membership.organisation.name} is suspended",
        f"An editor suspended the membership of {membership.organisation.name}.\n\n"
        f"The reason: {reason}",
    )
    return membership


@transaction.atomic
def membership_reinstate(
    *, user, membership: AllianceMembership, reason: str
) -> AllianceMembership:
    require_editor(user, DECIDE_PERM)
    reason = _reason(reason, "reinstate")
    membership = _locked(membership, {MembershipStatus.SUSPENDED}, "reinstated")
    membership.status = MembershipStatus.ACCEPTED
    membership.status_reason = reason
    membership.changed_at = timezone.now()
    membership.save()
    _log(membership, "reinstated")
    return membership


@transaction.atomic
def membership_end(*, user, membership: AllianceMembership, reason: str = "") -> AllianceMembership:
    """The member ends its membership (or withdraws its application)."""
    require_owner(user, membership.organisation)
    return membership_close(membership, reason)


def membership_close(membership: AllianceMembership, reason: str) -> AllianceMembership:
    """End a membership and leave its clusters (the member's own decision, or an erasure
    at the member's request); the caller checked who acts."""
    from compacts.alliance.clusters import cluster_member_leave
    from compacts.alliance.models import ClusterMember

    membership = _locked(membership, set(OPEN_MEMBERSHIP), "ended")
    was_member = membership.accepted_at is not None
    membership.status = MembershipStatus.ENDED
    membership.status_reason = _reason(reason, "end", required=False)
    membership.changed_at = timezone.now()
    membership.save()
    if was_member:
        _log(membership, "ended")
    # the clusters a member joined are the alliance's: leaving the alliance leaves them too
    org = membership.organisation
    for joined in ClusterMember.objects.select_for_update().current().filter(organisation=org):
        cluster_member_leave(joined)
    return membership


@transaction.atomic
def membership_endorse(
    *, user, membership: AllianceMembership, principles_version: int | None = None
) -> Endorsement:
    """Endorse the current principles; a membership that lapsed for want of it is renewed."""
    require_owner(user, membership.organisation)
    membership = _locked(
        membership,
        {MembershipStatus.APPLIED, MembershipStatus.ACCEPTED, MembershipStatus.LAPSED},
        "endorsed",
    )
    principles = _current_principles(principles_version)
    endorsement, created = Endorsement.objects.get_or_create(
        membership=membership, principles=principles, defaults={"endorsed_by": user}
    )
    if not created:
        raise DomainError(
            f"{membership.organisation.name} already endorsed version {principles.version}.",
            code="already_endorsed",
        )
    if membership.status == MembershipStatus.LAPSED:
        membership.status = MembershipStatus.ACCEPTED
        membership.status_reason = ""
        membership.changed_at = timezone.now()
        membership.save()
        _log(membership, "renewed")
    return endorsement


@transaction.atomic
def memberships_lapse(now=None) -> int:
    """Memberships that did not endorse the current principles in the time it gave lapse."""
    now = now or timezone.now()
    current = Principles.objects.current()
    if current is None or current.renew_by > now:
        return 0
    overdue = (
        AllianceMembership.objects.select_for_update()
        .accepted()
        .exclude(endorsements__principles=current)
        .select_related("organisation__country")
    )
    count = 0
    for membership in overdue:
        membership.status = MembershipStatus.LAPSED
        membership.status_reason = (
            f"Version {current.version} of the principles was not endorsed by "
            f"{current.renew_by:%d %B %Y}."
        )
        membership.changed_at = now
        membership.save()
        _log(membership, "lapsed")
        _tell(
            membership,
            f"The membership of {membership.organisation.name} lapsed",
            membership.status_reason + " Endorse the current version to renew it.",
        )
        count += 1
    return count


# appeals ---------------------------------------------------------------------------------

APPEAL_REFERENCE = re.compile(r"^membership-(\d{1,18})$")
NOT_AN_APPEAL = "Only the owner of a declined application may appeal its decision."
APPEALED_ONCE = "The decision on membership-{pk} was already appealed: a decision is appealed once."


def membership_appeal_check(*, user, reference: str) -> None:
    """A concern about a membership decision: the appeal of a decline, by an owner of the
    declined organisation, once. Called by the registry before it files the concern."""
    from registry.models import Concern
    from registry.redress import ConcernConflict

    found = APPEAL_REFERENCE.match(reference or "")
    membership = (
        AllianceMembership.objects.select_related("organisation")
        .filter(pk=int(found.group(1)))
        .first()
        if found
        else None
    )
    if membership is None:
        raise InvalidInput(
            "Name the decision as membership-N, as the e-mail about it does.", field="reference"
        )
    require_owner(user, membership.organisation)
    if membership.status != MembershipStatus.DECLINED:
        raise ConcernConflict(
            f"The application of {membership.organisation.name} was not declined: there is "
            "no decision to appeal.",
            code="not_declined",
        )
    # locked, so that two appeals filed at once cannot both pass
    AllianceMembership.objects.select_for_update().filter(pk=membership.pk).first()
    if Concern.objects.filter(target=Concern.Target.MEMBERSHIP, reference=reference).exists():
        raise ConcernConflict(APPEALED_ONCE.format(pk=membership.pk), code="already_appealed")
