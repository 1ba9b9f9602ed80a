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
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.accounts import has_verified_email
from aimai_site.errors import DomainError, InvalidInput
from aimai_site.languages import user_language
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

# a whole sentence per action, for translators; the status is the membership's, lower-cased
STATUS_REFUSED = {
    "accepted": gettext_lazy("The membership of %(org)s is %(status)s: it cannot be accepted."),
    "declined": gettext_lazy("The membership of %(org)s is %(status)s: it cannot be declined."),
    "suspended": gettext_lazy("The membership of %(org)s is %(status)s: it cannot be suspended."),
    "reinstated": gettext_lazy("The membership of %(org)s is %(status)s: it cannot be reinstated."),
    "ended": gettext_lazy("The membership of %(org)s is %(status)s: it cannot be ended."),
    "endorsed": gettext_lazy("The membership of %(org)s is %(status)s: it cannot be endorsed."),
}
ENDORSE_FIRST = gettext_lazy("Read the principles and endorse them to apply.")
PRINCIPLES_MOVED = gettext_lazy(
    "The principles changed to version %(current)s while you were reading version %(read)s: "
    "read the new version and endorse it."
)
NO_PRINCIPLES = gettext_lazy("The alliance has not published its principles yet.")
REASON_REQUIRED = {
    "decline": gettext_lazy("Say why: a reason is required to decline a membership."),
    "suspend": gettext_lazy("Say why: a reason is required to suspend a membership."),
    "reinstate": gettext_lazy("Say why: a reason is required to reinstate a membership."),
}
# how e-mails write a date: the month is named in the reader's language
MAIL_DATE = "d F Y"


def _words(values: Iterable[str], allowed, field: str, *, required: bool) -> list[str]:
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise InvalidInput(_("A list of words."), field=field)
    values = sorted(set(values))
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise InvalidInput(_("Unknown: %(words)s.") % {"words": ", ".join(unknown)}, field=field)
    if required and not values:
        raise InvalidInput(_("Choose at least one."), field=field)
    return values


def _reason(text: str, action: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise InvalidInput(str(REASON_REQUIRED[action]), field="reason")
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
            STATUS_REFUSED[action]
            % {
                "org": membership.organisation.name,
                "status": membership.get_status_display().lower(),
            },
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


def reader_language(user) -> str:
    """The language a person reads the e-mails in."""
    return user_language(user)


def by_language(users) -> dict[str, list[str]]:
    """The users' addresses grouped by the language each reads: one message per language."""
    grouped: dict[str, list[str]] = {}
    for user in users:
        grouped.setdefault(reader_language(user), []).append(user.email)
    return grouped


def owners_of(org: Organisation) -> list:
    return [
        m.user
        for m in Membership.objects.filter(organisation=org, role=Role.OWNER).select_related("user")
    ]


def _tell(membership: AllianceMembership, compose) -> None:
    """E-mail the organisation's owners, each in their language: `compose()` gives the subject
    and the body, and is called with that language active."""
    messages = []
    for lang, to in by_language(owners_of(membership.organisation)).items():
        with translation.override(lang):
            subject, body = compose()
            link = _("Your membership: %(url)s") % {"url": f"{settings.SITE_URL}/join/membership/"}
            messages.append(
                (f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", f"{body}\n\n{link}", to)
            )
    if messages:
        mail_after_commit(messages)


# principles ------------------------------------------------------------------------------


@transaction.atomic
def principles_publish(
    *, user, principles: list[dict], note: str = "", renewal_days: int = 90
) -> Principles:
    """A new version of the principles: logged, and every member asked to endorse it."""
    require_editor(user, PUBLISH_PERM)
    principles = principles_clean(principles)
    if not (note or "").strip():
        raise InvalidInput(_("Say what changed in this version."), field="note")
    if not isinstance(renewal_days, int) or renewal_days < 7:
        raise InvalidInput(_("Give members at least 7 days to endorse."), field="renewal_days")
    current = Principles.objects.select_for_update().order_by("-version").first()
    version = (current.version if current else 0) + 1
    document = principles_document(version, principles, note.strip(), renewal_days)
    if current and current.principles == principles:
        raise DomainError(_("The text is the same as the current version."), code="unchanged")
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
    owners = {
        m.user.email: m.user
        for m in Membership.objects.filter(
            role=Role.OWNER,
            organisation__alliance_memberships__status=MembershipStatus.ACCEPTED,
        ).select_related("user")
    }
    messages = []
    for email in sorted(owners):
        with translation.override(reader_language(owners[email])):
            messages.append((*_principles_mail(created), [email]))
    if messages:
        mail_after_commit(messages)
    return created


def _principles_mail(principles: Principles) -> tuple[str, str]:
    """The subject and body asking a member to endorse a new version, in the active language."""
    subject = _("The principles changed: please endorse version %(version)s") % {
        "version": principles.version
    }
    body = "\n\n".join(
        [
            _("The alliance published version %(version)s of its principles.")
            % {"version": principles.version},
            _("What changed: %(note)s") % {"note": principles.note},
            _("Read and endorse it by %(date)s, or the membership lapses: %(url)s")
            % {
                "date": date_format(principles.renew_by, MAIL_DATE),
                "url": f"{settings.SITE_URL}{principles.get_absolute_url()}",
            },
        ]
    )
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body


def _current_principles(read_version: int | None) -> Principles:
    current = Principles.objects.current()
    if current is None:
        raise DomainError(str(NO_PRINCIPLES), code="no_principles")
    if read_version is not None and int(read_version) != current.version:
        raise DomainError(
            PRINCIPLES_MOVED % {"current": current.version, "read": read_version},
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
        raise PermissionDenied(_("Sign in first."))
    if not has_verified_email(user):
        raise DomainError(_("Verify your e-mail address before applying."), code="unverified")
    if not endorse:
        raise InvalidInput(str(ENDORSE_FIRST), field="endorse")
    principles = _current_principles(principles_version)
    if not (reason or "").strip():
        raise InvalidInput(_("Say why you join."), field="reason")
    ways = _words(ways, Way.values, "ways", required=True)
    domains = _words(domains, Domain.values, "domains", required=False)
    if (organisation is None) == (new_organisation is None):
        raise InvalidInput(
            _("Apply for one organisation, or as an individual."), field="organisation"
        )
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
            _(
                "%(organisation)s already has a membership (%(status)s): see it on your "
                "memberships page, /join/membership/."
            )
            % {
                "organisation": organisation.name,
                "status": current.get_status_display().lower(),
            },
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
    org = membership.organisation

    def compose():
        body = _(
            "An editor accepted the application of %(organisation)s. You can now publish "
            "offers and needs and sign compacts."
        ) % {"organisation": org.name}
        if not (org.verified or org.kind == OrganisationKind.INDIVIDUAL):
            body += " " + _(
                "One step remains: an editor verifies who %(organisation)s is. Until then it "
                "signs no compact and the member directory does not list it."
            ) % {"organisation": org.name}
        if membership.status_reason:
            body += f"\n\n{membership.status_reason}"
        subject = _("Welcome to AI4NATIONS: %(organisation)s is a member") % {
            "organisation": org.name
        }
        return subject, body

    _tell(membership, compose)
    return membership


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
    name = membership.organisation.name
    appeal = (
        f"{settings.SITE_URL}/registry/concerns/new/?target=membership"
        f"&reference=membership-{membership.pk}"
    )
    _tell(
        membership,
        lambda: (
            _("Your application for %(organisation)s was declined") % {"organisation": name},
            "\n\n".join(
                [
                    _("An editor declined the application of %(organisation)s.")
                    % {"organisation": name},
                    _("The reason: %(reason)s") % {"reason": reason},
                    _("You may appeal once: file a concern about this decision at %(url)s")
                    % {"url": appeal},
                ]
            ),
        ),
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
    name = membership.organisation.name
    _tell(
        membership,
        lambda: (
            _("The membership of %(organisation)s is suspended") % {"organisation": name},
            _("An editor suspended the membership of %(organisation)s.") % {"organisation": name}
            + "\n\n"
            + _("The reason: %(reason)s") % {"reason": reason},
        ),
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
            _("%(organisation)s already endorsed version %(version)s.")
            % {"organisation": membership.organisation.name, "version": principles.version},
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
        # stored as written, in English, like an editor's reason (no reader's language here)
        membership.status_reason = (
            f"Version {current.version} of the principles was not endorsed by "
            f"{current.renew_by:%d %B %Y}."
        )
        membership.changed_at = now
        membership.save()
        _log(membership, "lapsed")
        _tell(membership, _lapsed_mail(membership.organisation.name, current))
        count += 1
    return count


def _lapsed_mail(name: str, current: Principles):
    def compose() -> tuple[str, str]:
        subject = _("The membership of %(organisation)s lapsed") % {"organisation": name}
        body = _(
            "Version %(version)s of the principles was not endorsed by %(date)s. Endorse the "
            "current version to renew it."
        ) % {"version": current.version, "date": date_format(current.renew_by, MAIL_DATE)}
        return subject, body

    return compose


# appeals ---------------------------------------------------------------------------------

APPEAL_REFERENCE = re.compile(r"^membership-(\d{1,18})$")
NOT_AN_APPEAL = gettext_lazy("Only the owner of a declined application may appeal its decision.")
APPEALED_ONCE = gettext_lazy(
    "The decision on membership-%(pk)s was already appealed: a decision is appealed once."
)


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
            _("Name the decision as membership-N, as the e-mail about it does."),
            field="reference",
        )
    require_owner(user, membership.organisation)
    if membership.status != MembershipStatus.DECLINED:
        raise ConcernConflict(
            _(
                "The application of %(organisation)s was not declined: there is no decision to "
                "appeal."
            )
            % {"organisation": membership.organisation.name},
            code="not_declined",
        )
    # locked, so that two appeals filed at once cannot both pass
    AllianceMembership.objects.select_for_update().filter(pk=membership.pk).first()
    if Concern.objects.filter(target=Concern.Target.MEMBERSHIP, reference=reference).exists():
        raise ConcernConflict(APPEALED_ONCE % {"pk": membership.pk}, code="already_appealed")
