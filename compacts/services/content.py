"""What a compact says: its terms, parties, resources, outcomes and milestones. Every edit is a
new revision, so signatures given before it no longer count."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.errors import DomainError, InvalidInput
from compacts import lifecycle
from compacts.choices import CompactStatus, PartyRole, ResourceKind, Role
from compacts.models import (
    Compact,
    Membership,
    Milestone,
    Organisation,
    Outcome,
    Party,
    Resource,
    Suggestion,
    Transition,
)
from compacts.notifications import compact_notify, lowered
from compacts.permissions import (
    require_member,
    require_party_member,
    require_party_withdrawal,
    require_resource_writer,
    role_in,
)
from compacts.wording import a_compact

NOT_EDITABLE = gettext_lazy("%(a_compact)s cannot be edited.")
AMEND_INSTEAD = gettext_lazy("Amend it instead: an amendment is a new version, reviewed again.")


COMPACT_FIELDS = {
    "title",
    "summary",
    "domains",
    "reporting_period_days",
    *Compact.SAFEGUARDS,
}


def _locked_compact(compact: Compact) -> Compact:
    return Compact.objects.select_for_update().get(pk=compact.pk)


def _content_changed(compact: Compact, user, what: str) -> None:
    """Every edit: a new revision, so earlier signatures no longer count; a signed compact
    goes back to proposed, and the history says why."""
    if compact.status not in lifecycle.EDITABLE:
        message = NOT_EDITABLE % {"a_compact": a_compact(CompactStatus(compact.status).label)}
        if compact.status == CompactStatus.ACTIVE:
            message = f"{message} {AMEND_INSTEAD}"
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
        raise InvalidInput(
            _("Not a compact field: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            field="fields",
        )
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
        raise PermissionDenied(_("Only members of the offer's or the need's organisation can."))
    if offer.organisation_id == need.organisation_id:
        raise DomainError(_("An organisation cannot make a compact with itself."), code="self")
    started = (
        Compact.objects.filter(suggestion_offer=offer, suggestion_need=need)
        .exclude(status__in=lifecycle.FINAL)
        .first()
    )
    if started is not None:
        raise DomainError(
            _("A compact from this suggestion is already started: %(reference)s.")
            % {"reference": started.reference},
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
        gettext_lazy("A compact was started with you"),
        gettext_lazy(
            "%(creator)s started a draft compact from the suggestion pairing “%(offer)s” with "
            "“%(need)s”."
        ),
        params={"creator": creator, "offer": offer.title, "need": need.title},
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
        raise InvalidInput(
            _("Not editable: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            field="fields",
        )
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
        raise DomainError(
            _("%(organisation)s is already a party.") % {"organisation": organisation.name},
            code="duplicate_party",
        )
    party = Party(compact=compact, organisation=organisation, role=role)
    party.full_clean()
    _content_changed(compact, user, "parties")
    party.save()
    Transition.objects.create(
        compact=compact,
        action="party named",
        from_status=compact.status,
        to_status=compact.status,
        actor=user,
        organisation=_acting_party_organisation(user, compact),
        reason=f"{organisation} named as {party.get_role_display().lower()}.",
    )
    compact_notify(
        compact,
        gettext_lazy("Named as a party"),
        gettext_lazy(
            "%(organisation)s is named as %(role)s in a draft compact. Read it, and agree its "
            "terms with the other parties before anyone signs."
        ),
        params={"organisation": organisation, "role": lowered(PartyRole(party.role).label)},
        only=[organisation],
        but=user,
    )
    return party


def party_only_named(party: Party, compact: Compact) -> bool:
    """A party named by another that has not joined yet: it committed nothing, never signed,
    filed nothing, and it is not the party that created the compact."""
    return not (
        party.resources.exists()
        or party.signatures.exists()
        or party.reports.exists()
        or compact.transitions.filter(action="create", organisation=party.organisation).exists()
    )


@transaction.atomic
def party_remove(*, user, party: Party, reason: str = "") -> None:
    """A party leaves a compact before it is in force: withdrawn by its own owner, or, in a
    draft, a naming taken back before the named party joined. Either way it is a new revision
    (the signatures given so far no longer count) and a line in the compact's history; past
    draft two parties or more stay. Only the leaving party's own commitments go with it."""
    compact = _locked_compact(party.compact)
    party = Party.objects.select_related("organisation").get(pk=party.pk, compact=compact)
    party.compact = compact
    only_named = party_only_named(party, compact)
    require_party_withdrawal(user, party, only_named=only_named)
    refused = lifecycle.withdrawal_refusal(compact.status, compact.parties.count() - 1)
    if refused:
        raise DomainError(refused, code="party_stays")
    if party.reports.exists():
        raise DomainError(_("A party that filed a report stays."), code="has_reports")
    if compact.amends and compact.amends.parties.filter(organisation=party.organisation).exists():
        raise DomainError(
            _(
                "%(organisation)s is a party to the version in force: it leaves by ending that "
                "compact, not through an amendment made without it."
            )
            % {"organisation": party.organisation},
            code="party_in_force",
        )
    organisation = party.organisation
    own = role_in(user, organisation) == Role.OWNER
    previous = compact.status
    _content_changed(compact, user, f"{organisation} left")
    party.delete()
    Transition.objects.create(
        compact=compact,
        action="party withdrawn" if own else "naming withdrawn",
        from_status=previous,
        to_status=compact.status,
        actor=user,
        organisation=organisation if own else _acting_party_organisation(user, compact),
        reason=reason.strip()
        or (
            f"{organisation} withdrew from the compact."
            if own
            else f"{organisation} was named but had not joined; the naming is taken back."
        ),
    )


def _acting_party_organisation(user, compact: Compact) -> Organisation | None:
    return (
        Organisation.objects.filter(parties__compact=compact, memberships__user=user)
        .order_by("pk")
        .first()
    )


_CHILD = {"resource": Resource, "outcome": Outcome, "milestone": Milestone}
NO_SUCH_PART = {
    "resource": gettext_lazy("No such resource."),
    "outcome": gettext_lazy("No such outcome."),
    "milestone": gettext_lazy("No such milestone."),
}


REACHED_THROUGH_ITS_ACTION = gettext_lazy(
    "A milestone is marked reached on an active compact, through its own action (“reached”), "
    "not written in with the terms."
)


@transaction.atomic
def compact_part_save(*, user, compact: Compact, part: str, instance=None, **fields):
    """Add or change a resource, an outcome or a milestone (each edit is a new revision). A
    resource is written by a member of the party that commits it; a milestone's date reached
    is progress, recorded by `milestone_done` alone."""
    require_party_member(user, compact)
    compact = _locked_compact(compact)
    model = _CHILD[part]
    if instance is None:
        obj = model(compact=compact)
    else:
        obj = model.objects.get(pk=instance.pk, compact=compact)
    if part == "resource" and instance is not None:
        require_resource_writer(user, obj.party)
    if part == "milestone" and "done_on" in fields and fields["done_on"] != obj.done_on:
        raise InvalidInput(REACHED_THROUGH_ITS_ACTION, field="done_on")
    for name, value in fields.items():
        setattr(obj, name, value)
    if part == "resource":
        if obj.party.compact_id != compact.pk:
            raise InvalidInput(_("That party is not in this compact."), field="party")
        require_resource_writer(user, obj.party)
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
        raise Http404(NO_SUCH_PART[part])
    if part == "resource":
        require_resource_writer(user, obj.party)
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
        raise DomainError(_("Milestones are reached on an active compact."), code="not_active")
    if done_on > timezone.localdate():
        raise InvalidInput(_("A milestone cannot be reached in the future."), field="done_on")
    if compact.activated_at and done_on < timezone.localdate(compact.activated_at):
        raise InvalidInput(
            _("A milestone cannot be reached before the compact became active."), field="done_on"
        )
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is not None:
        raise DomainError(
            _("Already reached on %(date)s.") % {"date": date_format(milestone.done_on, "d F Y")},
            code="done",
        )
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    return milestone
