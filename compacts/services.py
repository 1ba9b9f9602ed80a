"""Writes of the compacts app. Every function checks who acts (permissions.py) and what the
rules allow (lifecycle.py) before it changes anything, runs in one transaction, and records
public events in the transparency registry inside that same transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from aimai_site.errors import DomainError, InvalidInput
from compacts import lifecycle
from compacts.choices import CompactStatus, PublicationStatus, ResourceKind, Role
from compacts.models import (
    Compact,
    Confirmation,
    Invitation,
    Membership,
    Milestone,
    Need,
    Offer,
    Organisation,
    Outcome,
    Party,
    ProgressReport,
    ProgressValue,
    Resource,
    Signature,
    Suggestion,
    Transition,
)
from compacts.notifications import compact_notify, editors_notify
from compacts.permissions import (
    VERIFY_PERM,
    owned_parties,
    require_compact_action,
    require_editor,
    require_member,
    require_owner,
    require_party_member,
)
from countries.publication import index_recompute_after_commit
from registry.merkle import canonical_json
from registry.services import Event, registry_append

NOT_EDITABLE = "{a_compact} cannot be edited."
AMEND_INSTEAD = " Amend it instead: an amendment is a new version, reviewed again."
CHANGED_SINCE_READ = (
    "The compact changed since you read it (revision {seen}, now {now}): read it again before "
    "signing."
)
LAST_OWNER = "An organisation keeps at least one owner."
# actions that change which compacts are active (activate also supersedes what it amends)
INDEX_ACTIONS = frozenset({"activate", "complete", "terminate"})


def _suggestions_recompute_after_commit() -> None:
    from compacts.tasks import suggestions_recompute_task  # tasks import the services

    transaction.on_commit(suggestions_recompute_task.delay)


# organisations -----------------------------------------------------------------------------


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
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
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
    transaction.on_commit(lambda: _invitation_send(invitation))
    return invitation


def _invitation_send(invitation: Invitation) -> None:
    send_mail(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Join {invitation.organisation.name}",
        f"{invitation.invited_by.email} invites you to join {invitation.organisation.name} on "
        f"AI4NATIONS as {invitation.get_role_display().lower()}.\n\n"
        "Sign up or log in with this address, and accept the invitation on your dashboard.",
        None,
        [invitation.email],
    )


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


# offers and needs --------------------------------------------------------------------------


def _listing_save(model, *, user, organisation, instance=None, **fields):
    if instance is not None:
        organisation = instance.organisation
    require_member(user, organisation)
    if instance is None:
        listing = model(organisation=organisation)
    else:
        listing = model.objects.select_for_update().get(pk=instance.pk)
        if listing.status == PublicationStatus.WITHDRAWN:
            raise DomainError("A withdrawn listing cannot be edited.", code="withdrawn")
        if listing.status == PublicationStatus.PUBLISHED:
            require_owner(user, organisation)  # what is public speaks for the organisation
    for name in ("organisation", "status", "published_at", "created_at", "id", "pk"):
        fields.pop(name, None)
    for name, value in fields.items():
        setattr(listing, name, value)
    listing.full_clean()
    listing.save()
    if listing.status == PublicationStatus.PUBLISHED:
        _suggestions_recompute_after_commit()
    return listing


@transaction.atomic
def offer_save(*, user, organisation=None, instance: Offer | None = None, **fields) -> Offer:
    return _listing_save(Offer, user=user, organisation=organisation, instance=instance, **fields)


@transaction.atomic
def need_save(*, user, organisation=None, instance: Need | None = None, **fields) -> Need:
    return _listing_save(Need, user=user, organisation=organisation, instance=instance, **fields)


@transaction.atomic
def listing_publish(*, user, listing: Offer | Need) -> Offer | Need:
    require_owner(user, listing.organisation)
    listing = type(listing).objects.select_for_update().get(pk=listing.pk)
    if listing.status == PublicationStatus.PUBLISHED:
        raise DomainError("Already published.", code="published")
    listing.full_clean()
    listing.status, listing.published_at = PublicationStatus.PUBLISHED, timezone.now()
    listing.save(update_fields=["status", "published_at"])
    _suggestions_recompute_after_commit()
    return listing


@transaction.atomic
def listing_withdraw(*, user, listing: Offer | Need) -> Offer | Need:
    require_owner(user, listing.organisation)
    listing = type(listing).objects.select_for_update().get(pk=listing.pk)
    if listing.status == PublicationStatus.WITHDRAWN:
        raise DomainError("Already withdrawn.", code="withdrawn")
    listing.status = PublicationStatus.WITHDRAWN
    listing.save(update_fields=["status"])
    _suggestions_recompute_after_commit()
    return listing


# compacts: content -------------------------------------------------------------------------

COMPACT_FIELDS = {
    "title",
    "summary",
    "domains",
    "reporting_period_days",
    *Compact.SAFEGUARDS,
}


def _locked_compact(compact: Compact) -> Compact:
    return Compact.objects.select_for_update().get(pk=compact.pk)


def _a_compact(status: str) -> str:
    if status == CompactStatus.UNDER_REVIEW:
        return "A compact under review"
    label = CompactStatus(status).label.lower()
    return f"{'An' if label[0] in 'aeiou' else 'A'} {label} compact"


def _content_changed(compact: Compact, user, what: str) -> None:
    """Every edit: a new revision, so earlier signatures no longer count; a signed compact
    goes back to proposed, and the history says why."""
    if compact.status not in lifecycle.EDITABLE:
        message = NOT_EDITABLE.format(a_compact=_a_compact(compact.status))
        if compact.status == CompactStatus.ACTIVE:
            message += AMEND_INSTEAD
        raise DomainError(message, code="not_editable")
    compact.revision += 1
    fields = ["revision"]
    voided = compact.signatures.filter(revision=compact.revision - 1).exists()
    if compact.status == CompactStatus.SIGNED or (
        voided and compact.status == CompactStatus.PROPOSED
    ):
        previous = compact.status
        compact.status = CompactStatus.PROPOSED
        fields.append("status")
        Transition.objects.create(
            compact=compact,
            action="edit",
            from_status=previous,
            to_status=compact.status,
            actor=user,
            reason=f"Changed ({what}); the signatures given so far no longer count.",
        )
    compact.save(update_fields=fields)


@transaction.atomic
def compact_create(
    *,
    user,
    organisation: Organisation,
    role: str,
    countries: Iterable = (),
    **fields,
) -> Compact:
    """A draft compact with its first party, the creator's organisation."""
    require_member(user, organisation)
    unknown = set(fields) - COMPACT_FIELDS - {"suggestion_offer", "suggestion_need"}
    if unknown:
        raise InvalidInput(f"Not a compact field: {', '.join(sorted(unknown))}.", field="fields")
    compact = Compact(created_by=user, **fields)
    compact.full_clean(exclude=["lineage"])
    compact.save()
    compact.lineage = compact.pk
    compact.save(update_fields=["lineage"])
    compact.countries.set(countries)
    party = Party(compact=compact, organisation=organisation, role=role)
    party.full_clean()
    party.save()
    Transition.objects.create(
        compact=compact,
        action="create",
        from_status=CompactStatus.DRAFT,
        to_status=CompactStatus.DRAFT,
        actor=user,
        organisation=organisation,
    )
    return compact


@transaction.atomic
def compact_from_suggestion(*, user, suggestion: Suggestion) -> Compact:
    """One click from a suggestion: a draft between the offer's and the need's organisations,
    with what each brings already written in; the member's own party is the creator."""
    offer, need = suggestion.offer, suggestion.need
    mine = Membership.objects.filter(
        user=user, organisation__in=[offer.organisation_id, need.organisation_id]
    ).values_list("organisation", flat=True)
    if not mine:
        raise PermissionDenied("Only members of the offer's or the need's organisation can.")
    if offer.organisation_id == need.organisation_id:
        raise DomainError("An organisation cannot make a compact with itself.", code="self")
    started = (
        Compact.objects.filter(suggestion_offer=offer, suggestion_need=need)
        .exclude(status__in=lifecycle.FINAL)
        .first()
    )
    if started is not None:
        raise DomainError(
            f"A compact from this suggestion is already started: {started.reference}.",
            code="already_started",
        )
    domains = sorted(set(offer.domains) & set(need.domains)) or sorted(need.domains)
    creator = offer.organisation if offer.organisation_id in mine else need.organisation
    compact = compact_create(
        user=user,
        organisation=creator,
        role="provider" if creator == offer.organisation else "data_steward",
        title=f"{offer.title} for {need.title}"[:200],
        summary=(offer.description + "\n\n" + need.description).strip(),
        domains=domains,
        countries=[need.country],
        suggestion_offer=offer,
        suggestion_need=need,
        data_residency=(f"Data stays in {need.country.name}." if need.data_stays else ""),
        licensing_terms=offer.sovereignty_terms,
    )
    other = need.organisation if creator == offer.organisation else offer.organisation
    Party.objects.create(
        compact=compact,
        organisation=other,
        role="data_steward" if other == need.organisation else "provider",
    )
    compact_notify(
        compact,
        "A compact was started with you",
        f"{creator} started a draft compact from the suggestion pairing “{offer.title}” with "
        f"“{need.title}”.",
        only=[other],
        but=user,
    )
    provider = compact.parties.get(organisation=offer.organisation)
    steward = compact.parties.get(organisation=need.organisation)
    Resource.objects.create(
        compact=compact,
        party=provider,
        kind=offer.kind,
        description=offer.title[:500],
        amount=offer.amount,
        unit=offer.unit,
    )
    if need.brings_detail or need.brings:
        Resource.objects.create(
            compact=compact,
            party=steward,
            kind=ResourceKind.DATASET if "local_data" in need.brings else ResourceKind.KNOW_HOW,
            description=(need.brings_detail or ", ".join(need.brings))[:500],
        )
    return compact


@transaction.atomic
def compact_update(
    *, user, compact: Compact, countries: Iterable | None = None, **fields
) -> Compact:
    require_party_member(user, compact)
    compact = _locked_compact(compact)
    unknown = set(fields) - COMPACT_FIELDS
    if unknown:
        raise InvalidInput(f"Not editable: {', '.join(sorted(unknown))}.", field="fields")
    changed = [name for name, value in fields.items() if getattr(compact, name) != value]
    countries = None if countries is None else list(countries)
    if countries is not None and {c.pk for c in countries} == set(
        compact.countries.values_list("pk", flat=True)
    ):
        countries = None
    if not changed and countries is None:
        return compact  # nothing new: the signatures given stay valid
    for name in changed:
        setattr(compact, name, fields[name])
    compact.full_clean()
    _content_changed(compact, user, "terms")
    compact.save(update_fields=changed or None)
    if countries is not None:
        compact.countries.set(countries)
    return compact


@transaction.atomic
def party_add(*, user, compact: Compact, organisation: Organisation, role: str) -> Party:
    require_party_member(user, compact)
    compact = _locked_compact(compact)
    if compact.parties.filter(organisation=organisation).exists():
        raise DomainError(f"{organisation.name} is already a party.", code="duplicate_party")
    party = Party(compact=compact, organisation=organisation, role=role)
    party.full_clean()
    _content_changed(compact, user, "parties")
    party.save()
    compact_notify(
        compact,
        "Named as a party",
        f"{organisation} is named as {party.get_role_display().lower()} in a draft compact. "
        "Read it, and agree its terms with the other parties before anyone signs.",
        only=[organisation],
        but=user,
    )
    return party


@transaction.atomic
def party_remove(*, user, party: Party) -> None:
    require_party_member(user, party.compact)
    compact = _locked_compact(party.compact)
    if compact.parties.count() <= 1:
        raise DomainError("A compact keeps at least one party.", code="last_party")
    if party.reports.exists():
        raise DomainError("A party that filed a report stays.", code="has_reports")
    if compact.amends and compact.amends.parties.filter(organisation=party.organisation).exists():
        raise DomainError(
            f"{party.organisation} is a party to the version in force: it leaves by ending that "
            "compact, not through an amendment made without it.",
            code="party_in_force",
        )
    _content_changed(compact, user, "parties")
    party.delete()


_CHILD = {"resource": Resource, "outcome": Outcome, "milestone": Milestone}


@transaction.atomic
def compact_part_save(*, user, compact: Compact, part: str, instance=None, **fields):
    """Add or change a resource, an outcome or a milestone (each edit is a new revision)."""
    require_party_member(user, compact)
    compact = _locked_compact(compact)
    model = _CHILD[part]
    if instance is None:
        obj = model(compact=compact)
    else:
        obj = model.objects.get(pk=instance.pk, compact=compact)
    for name, value in fields.items():
        setattr(obj, name, value)
    if part == "resource" and obj.party.compact_id != compact.pk:
        raise InvalidInput("That party is not in this compact.", field="party")
    obj.full_clean()
    _content_changed(compact, user, f"{part}s")
    obj.save()
    return obj


@transaction.atomic
def compact_part_delete(*, user, compact: Compact, part: str, pk) -> None:
    require_party_member(user, compact)
    compact = _locked_compact(compact)
    obj = _CHILD[part].objects.filter(pk=pk, compact=compact).first()
    if obj is None:
        raise Http404(f"No such {part}.")
    _content_changed(compact, user, f"{part}s")
    obj.delete()


@transaction.atomic
def milestone_done(*, user, milestone: Milestone, done_on: date) -> Milestone:
    """A party member records that a milestone of an active compact was reached: progress, not
    a change of terms, so no new revision and no signature voided."""
    compact = milestone.compact
    require_party_member(user, compact)
    compact = _locked_compact(compact)
    if compact.status != CompactStatus.ACTIVE:
        raise DomainError("Milestones are reached on an active compact.", code="not_active")
    if done_on > timezone.localdate():
        raise InvalidInput("A milestone cannot be reached in the future.", field="done_on")
    if compact.activated_at and done_on < timezone.localdate(compact.activated_at):
        raise InvalidInput(
            "A milestone cannot be reached before the compact became active.", field="done_on"
        )
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is not None:
        raise DomainError(f"Already reached on {milestone.done_on:%d %B %Y}.", code="done")
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    return milestone


# compacts: lifecycle -----------------------------------------------------------------------


def compact_missing(compact: Compact) -> tuple[str, ...]:
    """What must still be filled in before the compact can be proposed."""
    missing = [
        Compact._meta.get_field(name).verbose_name
        for name in Compact.SAFEGUARDS
        if not getattr(compact, name).strip()
    ]
    if not compact.summary.strip():
        missing.insert(0, "summary")
    if not compact.domains:
        missing.insert(0, "domains")
    if not compact.countries.exists():
        missing.append("countries")
    if not compact.outcomes.exists():
        missing.append("at least one outcome")
    unresourced = [str(p.organisation) for p in compact.parties.all() if not p.resources.exists()]
    if unresourced:
        missing.append("what each party commits (" + ", ".join(unresourced) + ")")
    return tuple(missing)


def _facts(compact: Compact, action: str, reason: str, party: Party | None) -> lifecycle.Facts:
    parties = list(compact.parties.select_related("organisation"))
    signed = set(
        compact.signatures.filter(revision=compact.revision).values_list("party", flat=True)
    )
    return lifecycle.Facts(
        parties=len(parties),
        missing=compact_missing(compact) if action == "propose" else (),
        unverified=tuple(p.organisation.name for p in parties if not p.organisation.verified),
        unsigned=tuple(p.organisation.name for p in parties if p.pk not in signed),
        reason=reason,
        signer_signed=party is not None and party.pk in signed,
        open_reports=tuple(
            f"report to {d:%d %B %Y}"
            for d in compact.reports.filter(verified_at__isnull=True).values_list(
                "period_end", flat=True
            )
        )
        if action == "complete"
        else (),
    )


def compact_document(compact: Compact) -> dict:
    """The public content of a compact version: what its registry entries' digest covers."""
    return {
        "reference": compact.reference,
        "title": compact.title,
        "summary": compact.summary,
        "status": compact.status,
        "revision": compact.revision,
        "domains": sorted(compact.domains),
        "countries": sorted(c.iso3 for c in compact.countries.all()),
        "parties": [
            {
                "organisation": p.organisation.slug,
                "role": p.role,
                "resources": [
                    {
                        "kind": r.kind,
                        "description": r.description,
                        "amount": None if r.amount is None else str(r.amount),
                        "unit": r.unit,
                    }
                    for r in p.resources.all()
                ],
            }
            for p in compact.parties.select_related("organisation")
        ],
        "safeguards": {name: getattr(compact, name) for name in Compact.SAFEGUARDS},
        "reporting_period_days": compact.reporting_period_days,
        "outcomes": [
            {
                "indicator": o.indicator,
                "unit": o.unit,
                "baseline": str(o.baseline),
                "target": str(o.target),
                "due": o.due.isoformat(),
            }
            for o in compact.outcomes.all()
        ],
        "milestones": [
            {"title": m.title, "due": m.due.isoformat()} for m in compact.milestones.all()
        ],
    }


def compact_digest(compact: Compact) -> str:
    return hashlib.sha256(canonical_json(compact_document(compact))).hexdigest()


def _compact_event(compact: Compact, event: str) -> Event:
    countries = [c.iso3 for c in compact.countries.all()]
    return Event(
        event=event,
        identifier=compact.reference,
        url=compact.get_absolute_url(),
        digest=compact_digest(compact),
        organisation=", ".join(p.organisation.name for p in compact.parties.all())[:200],
        country=countries[0] if len(countries) == 1 else "",
    )


@transaction.atomic
def compact_transition(
    *,
    user,
    compact: Compact,
    action: str,
    reason: str = "",
    party: Party | None = None,
    revision: int | None = None,
) -> Compact:
    """Take a lifecycle action. `revision` is the revision the actor read: a signature is
    refused if anything changed since, so no change slips past a signature."""
    if action not in lifecycle.TRANSITIONS:
        raise InvalidInput(f"“{action}” is not an action on a compact.", field="action")
    if lifecycle.TRANSITIONS[action].reason_required and not reason.strip():
        raise InvalidInput(f"Say why: a reason is required to {action} a compact.", field="reason")
    require_compact_action(user, compact, action, party)
    compact = _locked_compact(compact)
    if action == "sign":
        if party is None:
            owned = list(owned_parties(user, compact))
            if len(owned) != 1:
                raise InvalidInput("Say which party you sign for.", field="party")
            party = owned[0]
        if revision is not None and revision != compact.revision:
            raise DomainError(
                CHANGED_SINCE_READ.format(seen=revision, now=compact.revision), code="stale"
            )
    facts = _facts(compact, action, reason, party)
    refused = lifecycle.refusal(compact.status, action, facts)
    if refused:
        raise DomainError(refused, code="illegal_transition")
    previous, target = compact.status, lifecycle.target(compact.status, action, facts)
    events = []
    fields = ["status"]
    if action == "sign":
        Signature.objects.create(
            compact=compact, party=party, revision=compact.revision, signed_by=user
        )
    if action == "return":
        compact.revision += 1  # signatures given before the review no longer count
        fields.append("revision")
    if action == "activate":
        compact.activated_at = timezone.now()
        fields.append("activated_at")
        old = compact.amends
        if old is not None:
            old = _locked_compact(old)
            if old.status != CompactStatus.ACTIVE:
                raise DomainError(
                    f"The version it amends is {old.status}, no longer active.", code="stale"
                )
            Transition.objects.create(
                compact=old,
                action="supersede",
                from_status=old.status,
                to_status=CompactStatus.SUPERSEDED,
                actor=user,
                reason=f"Amended by version {compact.version}.",
            )
            old.status, old.ended_at = CompactStatus.SUPERSEDED, timezone.now()
            old.save(update_fields=["status", "ended_at"])
    if target in lifecycle.FINAL:
        compact.ended_at = timezone.now()
        fields.append("ended_at")
    compact.status = target
    compact.save(update_fields=fields)
    Transition.objects.create(
        compact=compact,
        action=action,
        from_status=previous,
        to_status=target,
        actor=user,
        organisation=party.organisation if party else None,
        reason=reason.strip(),
    )
    _transition_notify(compact, action, target, user, reason.strip())
    if action == "activate":
        events.append(
            _compact_event(compact, "compact.amended" if compact.amends else "compact.activated")
        )
    elif action in ("complete", "terminate"):
        events.append(_compact_event(compact, f"compact.{target}"))
    if events:
        registry_append(events)
    if action in INDEX_ACTIONS:
        index_recompute_after_commit()  # the set of active compacts feeds the index
    return compact


NOTICES = {
    "propose": ("Your signature is awaited", "The compact is proposed: each party's owner signs."),
    "submit": ("Under review", "Every party signed; an editor now checks the safeguards."),
    "activate": ("Active", "An editor approved the compact: it is active and public."),
    "return": ("Returned for changes", "An editor returned the compact for changes: {reason}"),
    "complete": ("Completed", "The compact is completed. {reason}"),
    "terminate": ("Terminated", "The compact was terminated: {reason}"),
    "withdraw": ("Withdrawn", "The compact was withdrawn: {reason}"),
}


def _transition_notify(compact: Compact, action: str, target: str, user, reason: str) -> None:
    if action == "sign":
        if target == CompactStatus.SIGNED:
            compact_notify(compact, "Signed by every party", "Submit it for review.", but=user)
        return
    subject, text = NOTICES[action]
    compact_notify(compact, subject, text.format(reason=reason).strip(), but=user)
    if action == "submit":
        editors_notify(compact, "A compact awaits review", "Check its safeguards in the admin.")


@transaction.atomic
def compact_amend(*, user, compact: Compact, reason: str) -> Compact:
    """A new draft version of an active compact, with everything copied; the active version
    stays in force until the amendment is reviewed and activated."""
    if not reason.strip():
        raise InvalidInput("Say why the compact is amended.", field="reason")
    require_compact_action(user, compact, "complete")  # an owner of a party, as for completing
    old = _locked_compact(compact)
    if old.status != CompactStatus.ACTIVE:
        raise DomainError("Only an active compact can be amended.", code="illegal_transition")
    if Compact.objects.filter(amends=old).exclude(status=CompactStatus.WITHDRAWN).exists():
        raise DomainError("An amendment of this compact is already open.", code="open_amendment")
    latest = Compact.objects.filter(lineage=old.lineage).aggregate(v=Max("version"))["v"]
    new = Compact.objects.create(
        lineage=old.lineage,
        version=latest + 1,
        amends=None,
        title=old.title,
        summary=old.summary,
        domains=old.domains,
        reporting_period_days=old.reporting_period_days,
        created_by=user,
        example=old.example,
        **{name: getattr(old, name) for name in Compact.SAFEGUARDS},
    )
    # a withdrawn amendment frees the one-to-one link for the next one
    Compact.objects.filter(amends=old, status=CompactStatus.WITHDRAWN).update(amends=None)
    new.amends = old
    new.save(update_fields=["amends"])
    new.countries.set(old.countries.all())
    parties = {}
    for p in old.parties.all():
        parties[p.pk] = Party.objects.create(compact=new, organisation=p.organisation, role=p.role)
    for r in old.resources.all():
        Resource.objects.create(
            compact=new,
            party=parties[r.party_id],
            kind=r.kind,
            description=r.description,
            amount=r.amount,
            unit=r.unit,
        )
    for o in old.outcomes.all():
        Outcome.objects.create(
            compact=new,
            indicator=o.indicator,
            unit=o.unit,
            baseline=o.baseline,
            target=o.target,
            due=o.due,
        )
    for m in old.milestones.all():
        Milestone.objects.create(compact=new, title=m.title, due=m.due, done_on=m.done_on)
    Transition.objects.create(
        compact=new,
        action="amend",
        from_status=CompactStatus.DRAFT,
        to_status=CompactStatus.DRAFT,
        actor=user,
        reason=reason.strip(),
    )
    return new


# progress ----------------------------------------------------------------------------------


def _report_digest(report: ProgressReport) -> str:
    document = {
        "compact": report.compact.reference,
        "party": report.party.organisation.slug,
        "period_end": report.period_end.isoformat(),
        "summary": report.summary,
        "values": {
            str(v.outcome.indicator): str(v.value)
            for v in report.values.select_related("outcome").order_by("outcome__pk")
        },
        "verified": report.verified,
    }
    return hashlib.sha256(canonical_json(document)).hexdigest()


@transaction.atomic
def report_file(
    *,
    user,
    compact: Compact,
    party: Party,
    period_end: date,
    summary: str,
    values: dict[int, Decimal] | None = None,
) -> ProgressReport:
    """A party's progress report against the outcomes; self-reported until every party
    confirms it. Filing by an owner counts as the filing party's confirmation."""
    require_member(user, party.organisation)
    compact = _locked_compact(compact)
    if party.compact_id != compact.pk:
        raise InvalidInput("That party is not in this compact.", field="party")
    if compact.status != CompactStatus.ACTIVE:
        raise DomainError("Progress is reported on an active compact.", code="not_active")
    if period_end > timezone.localdate():
        raise InvalidInput("The period cannot end in the future.", field="period_end")
    if compact.activated_at and period_end < timezone.localdate(compact.activated_at):
        raise InvalidInput(
            "The period cannot end before the compact became active "
            f"({timezone.localdate(compact.activated_at):%d %B %Y}).",
            field="period_end",
        )
    outcomes = {o.pk: o for o in compact.outcomes.all()}
    values = values or {}
    strangers = set(values) - set(outcomes)
    if strangers:
        raise InvalidInput("Values must be for this compact's outcomes.", field="values")
    report = ProgressReport(
        compact=compact, party=party, filed_by=user, period_end=period_end, summary=summary
    )
    report.full_clean()
    report.save()
    ProgressValue.objects.bulk_create(
        [ProgressValue(report=report, outcome=outcomes[k], value=v) for k, v in values.items()]
    )
    if party.organisation.memberships.filter(user=user, role=Role.OWNER).exists():
        Confirmation.objects.create(report=report, party=party, confirmed_by=user)
    _report_verified_check(report)
    compact_notify(
        compact,
        "A progress report awaits your confirmation",
        f"{party.organisation} reported progress to {period_end:%d %B %Y}. It stays "
        "self-reported until every party confirms it.",
        only=[p.organisation for p in compact.parties.exclude(pk=party.pk)],
        but=user,
    )
    if compact.stale_since:
        compact.stale_since = None
        compact.save(update_fields=["stale_since"])
    registry_append(
        [
            Event(
                event="progress_report.filed",
                identifier=f"{compact.reference}/report-{report.pk}",
                url=compact.get_absolute_url() + f"#report-{report.pk}",
                digest=_report_digest(report),
                organisation=party.organisation.name[:200],
            )
        ]
    )
    return report


def _report_verified_check(report: ProgressReport) -> bool:
    parties = set(report.compact.parties.values_list("pk", flat=True))
    confirmed = set(report.confirmations.values_list("party", flat=True))
    if parties <= confirmed and report.verified_at is None:
        report.verified_at = timezone.now()
        report.save(update_fields=["verified_at"])
        return True
    return False


@transaction.atomic
def report_confirm(*, user, report: ProgressReport, party: Party) -> ProgressReport:
    """A party's owner confirms a report; the last confirmation verifies it (in the log)."""
    require_owner(user, party.organisation)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if party.compact_id != report.compact_id:
        raise InvalidInput("That party is not in this compact.", field="party")
    if Confirmation.objects.filter(report=report, party=party).exists():
        raise DomainError("This party already confirmed the report.", code="confirmed")
    Confirmation.objects.create(report=report, party=party, confirmed_by=user)
    if _report_verified_check(report):
        registry_append(
            [
                Event(
                    event="progress_report.verified",
                    identifier=f"{report.compact.reference}/report-{report.pk}",
                    url=report.compact.get_absolute_url() + f"#report-{report.pk}",
                    digest=_report_digest(report),
                    organisation=report.party.organisation.name[:200],
                )
            ]
        )
    return report


def compact_due_report(compact: Compact) -> date | None:
    """When the next report is due: the reporting period after the last one (or activation)."""
    if compact.status != CompactStatus.ACTIVE or compact.activated_at is None:
        return None
    last = compact.reports.aggregate(last=Max("filed_at"))["last"] or compact.activated_at
    return (last + timedelta(days=compact.reporting_period_days)).date()


@transaction.atomic
def compacts_mark_stale(*, today: date | None = None) -> list[Compact]:
    """Active compacts with no report for longer than their reporting period become stale:
    once, with an entry in the log; a new report clears it."""
    today = today or timezone.localdate()
    marked = []
    for compact in Compact.objects.select_for_update().filter(
        status=CompactStatus.ACTIVE, stale_since__isnull=True
    ):
        due = compact_due_report(compact)
        if due is not None and due < today:
            compact.stale_since = timezone.now()
            compact.save(update_fields=["stale_since"])
            marked.append(compact)
    if marked:
        registry_append([_compact_event(c, "compact.stale") for c in marked])
    return marked
