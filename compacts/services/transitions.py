"""The compact lifecycle: each action checked by lifecycle.py, recorded with who, when and why,
and entered in the registry when it is public."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.errors import DomainError, InvalidInput
from compacts import lifecycle
from compacts.choices import CompactStatus
from compacts.models import (
    Compact,
    Milestone,
    Outcome,
    Party,
    Resource,
    Signature,
    Transition,
)
from compacts.notifications import compact_notify, editors_notify
from compacts.permissions import (
    is_alliance_member,
    owned_parties,
    require_compact_action,
)
from compacts.registry_names import parties_named
from compacts.services.content import _locked_compact
from countries.publication import index_recompute_after_commit
from registry.merkle import canonical_json
from registry.services import Event, registry_append

CHANGED_SINCE_READ = gettext_lazy(
    "The compact changed since you read it (revision %(seen)s, now %(now)s): read it again "
    "before signing."
)
# actions that change which compacts are active (activate also supersedes what it amends)
INDEX_ACTIONS = frozenset({"activate", "complete", "terminate"})
# the safeguards as the list of what is missing names them (their verbose names)
SAFEGUARD_NAMES = {
    "data_steward": gettext_lazy("Data trust or steward"),
    "licensing_terms": gettext_lazy("licensing terms"),
    "data_residency": gettext_lazy("data residency"),
    "misuse_prevention": gettext_lazy("Misuse-prevention terms"),
    "exit_and_redress": gettext_lazy("Exit and redress terms"),
}


def compact_missing(compact: Compact) -> tuple[str, ...]:
    """What must still be filled in before the compact can be proposed."""
    missing = [
        str(SAFEGUARD_NAMES[name])
        for name in Compact.SAFEGUARDS
        if not getattr(compact, name).strip()
    ]
    if not compact.summary.strip():
        missing.insert(0, _("summary"))
    if not compact.domains:
        missing.insert(0, _("domains"))
    if not compact.countries.exists():
        missing.append(_("countries"))
    if not compact.outcomes.exists():
        missing.append(_("at least one outcome"))
    unresourced = [str(p.organisation) for p in compact.parties.all() if not p.resources.exists()]
    if unresourced:
        missing.append(
            _("what each party commits (%(parties)s)") % {"parties": ", ".join(unresourced)}
        )
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
        non_members=tuple(
            p.organisation.name for p in parties if not is_alliance_member(p.organisation)
        )
        if action == "sign"
        else (),
        unsigned=tuple(p.organisation.name for p in parties if p.pk not in signed),
        reason=reason,
        signer_signed=party is not None and party.pk in signed,
        open_reports=tuple(
            _("report to %(date)s") % {"date": date_format(d, "d F Y")}
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
    parties = [p.organisation for p in compact.parties.select_related("organisation")]
    return Event(
        event=event,
        identifier=compact.reference,
        url=compact.get_absolute_url(),
        digest=compact_digest(compact),
        country=countries[0] if len(countries) == 1 else "",
        **parties_named(parties),  # a person among the parties only as a commitment
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
        raise InvalidInput(lifecycle.not_an_action_message(action), field="action")
    if lifecycle.TRANSITIONS[action].reason_required and not reason.strip():
        raise InvalidInput(lifecycle.reason_required_message(action), field="reason")
    require_compact_action(user, compact, action, party)
    compact = _locked_compact(compact)
    if action == "sign":
        if party is None:
            owned = list(owned_parties(user, compact))
            if len(owned) != 1:
                raise InvalidInput(_("Say which party you sign for."), field="party")
            party = owned[0]
        if revision is not None and revision != compact.revision:
            raise DomainError(
                CHANGED_SINCE_READ % {"seen": revision, "now": compact.revision}, code="stale"
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
                    _("The version it amends is %(status)s, no longer active.")
                    % {"status": lifecycle.STATE_WORDS.get(old.status, old.status)},
                    code="stale",
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


# e-mail subjects and texts, worded in each recipient's language by compact_notify
NOTICES = {
    "propose": (
        gettext_lazy("Your signature is awaited"),
        gettext_lazy("The compact is proposed: each party's owner signs."),
    ),
    "submit": (
        gettext_lazy("Under review"),
        gettext_lazy("Every party signed; an editor now checks the safeguards."),
    ),
    "activate": (
        gettext_lazy("Active"),
        gettext_lazy("An editor approved the compact: it is active and public."),
    ),
    "return": (
        gettext_lazy("Returned for changes"),
        gettext_lazy("An editor returned the compact for changes: %(reason)s"),
    ),
    "complete": (
        gettext_lazy("Completed"),
        gettext_lazy("The compact is completed: %(reason)s"),
    ),
    "terminate": (
        gettext_lazy("Terminated"),
        gettext_lazy("The compact was terminated: %(reason)s"),
    ),
    "withdraw": (
        gettext_lazy("Withdrawn"),
        gettext_lazy("The compact was withdrawn: %(reason)s"),
    ),
}


def _transition_notify(compact: Compact, action: str, target: str, user, reason: str) -> None:
    if action == "sign":
        if target == CompactStatus.SIGNED:
            compact_notify(
                compact,
                gettext_lazy("Signed by every party"),
                gettext_lazy("Submit it for review."),
                but=user,
            )
        return
    subject, text = NOTICES[action]
    params = {"reason": reason} if "%(reason)s" in str(text) else None
    compact_notify(compact, subject, text, params=params, but=user)
    if action == "submit":
        editors_notify(
            compact,
            gettext_lazy("A compact awaits review"),
            gettext_lazy("Check its safeguards in the admin."),
        )


@transaction.atomic
def compact_amend(*, user, compact: Compact, reason: str) -> Compact:
    """A new draft version of an active compact, with everything copied; the active version
    stays in force until the amendment is reviewed and activated."""
    if not reason.strip():
        raise InvalidInput(_("Say why the compact is amended."), field="reason")
    require_compact_action(user, compact, "complete")  # an owner of a party, as for completing
    old = _locked_compact(compact)
    if old.status != CompactStatus.ACTIVE:
        raise DomainError(_("Only an active compact can be amended."), code="illegal_transition")
    if Compact.objects.filter(amends=old).exclude(status=CompactStatus.WITHDRAWN).exists():
        raise DomainError(_("An amendment of this compact is already open."), code="open_amendment")
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
