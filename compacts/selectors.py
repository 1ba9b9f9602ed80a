"""Reads behind the compacts pages: what each page shows, gathered in a few queries. Visibility
comes from the querysets and permissions modules; nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from compacts import lifecycle
from compacts.alliance.directory import endorsements_due as directory_endorsements_due
from compacts.choices import CompactStatus, PublicationStatus, Role
from compacts.models import (
    Compact,
    Invitation,
    Membership,
    Need,
    Offer,
    Organisation,
    Outcome,
    Party,
    ProgressReport,
    Resource,
    Suggestion,
    Transition,
)
from compacts.permissions import (
    REVIEW_PERM,
    alliance_statuses_prime,
    owned_parties,
    party_member,
)
from compacts.services import (
    compact_missing,  # what `propose` checks, shown beforehand
    party_only_named,
)

OPEN_STATUSES = (
    CompactStatus.DRAFT,
    CompactStatus.PROPOSED,
    CompactStatus.SIGNED,
    CompactStatus.UNDER_REVIEW,
)
SUGGESTIONS_SHOWN = 5  # per need or offer on the dashboard

PART_LABELS = {
    "complementarity": gettext_lazy("Complementarity"),
    "domain": gettext_lazy("Shared domains"),
    "language": gettext_lazy("Shared languages"),
    "region": gettext_lazy("Region"),
    "mutual_aid": gettext_lazy("Mutual-aid signal"),
    "cluster": gettext_lazy("Same regional cluster"),
}


def strength(value: float) -> str:
    """A score part (0-1) in words, so the number is never the only cue."""
    if value >= 0.75:
        return pgettext("score part", "strong")
    if value >= 0.4:
        return pgettext("score part", "moderate")
    if value > 0:
        return pgettext("score part", "weak")
    return pgettext("score part", "none")


# lists with filters ------------------------------------------------------------------------


def _in_country(iso3: str) -> Q:
    """Compacts covering a country, or with a party based there."""
    return Q(countries__iso3=iso3) | Q(parties__organisation__country__iso3=iso3)


def compact_list(
    *, q: str = "", domain: str = "", country: str = "", status: str = "", kind: str = ""
) -> QuerySet[Compact]:
    compacts = Compact.objects.public()
    if q:
        compacts = compacts.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    if domain:
        compacts = compacts.with_domain(domain)
    if country:
        compacts = compacts.filter(_in_country(country))
    if status:
        compacts = compacts.filter(status=status)
    if kind:
        compacts = compacts.with_resource_kind(kind)
    return compacts.distinct().prefetch_related("countries", "parties__organisation")


def country_compacts(iso3: str) -> QuerySet[Compact]:
    return compact_list(country=iso3)


def listing_list(
    model: type[Offer] | type[Need],
    *,
    q: str = "",
    domain: str = "",
    kind: str = "",
    language: str = "",
    country: str = "",
) -> QuerySet:
    """Published offers or needs; `kind` is what an offer gives or what a need wants, and
    `country` the provider's country (offers) or the need's."""
    listings = model.objects.published().select_related("organisation__country")
    if q:
        listings = listings.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if domain:
        listings = listings.with_domain(domain)
    if language:
        listings = listings.with_language(language.strip().lower())
    if model is Offer:
        if kind:
            listings = listings.filter(kind=kind)
        if country:
            listings = listings.filter(organisation__country__iso3=country)
    else:
        listings = listings.select_related("country")
        if kind:
            listings = listings.filter(wants__icontains=f'"{kind}"')
        if country:
            listings = listings.filter(country__iso3=country)
    return listings


# one compact -------------------------------------------------------------------------------


@dataclass
class Progress:
    outcome: Outcome
    value: Decimal | None = None  # the latest reported value
    period_end: object = None
    verified: bool = False  # the report it comes from was confirmed by every party
    percent: int | None = None  # of the way from the baseline to the target, 0-100


def outcome_progress(compact: Compact) -> list[Progress]:
    latest: dict[int, Progress] = {}
    reports = compact.reports.prefetch_related("values").order_by("-period_end", "-pk")
    for report in reports:
        for value in report.values.all():
            latest.setdefault(
                value.outcome_id,
                Progress(None, value.value, report.period_end, report.verified),
            )
    rows = []
    for outcome in compact.outcomes.all():
        row = latest.get(outcome.pk, Progress(None))
        row.outcome = outcome
        if row.value is not None:
            share = (row.value - outcome.baseline) / (outcome.target - outcome.baseline)
            row.percent = int(max(Decimal(0), min(Decimal(1), share)) * 100)
        rows.append(row)
    return rows


# actions that end an active compact: a page of their own asks for the reason, then confirms
CONFIRM_FIRST = frozenset({"complete", "terminate"})


@dataclass
class Action:
    """A lifecycle button: the action, its label, whether it needs a reason, and for a
    signature the party signing."""

    action: str
    label: str
    reason: bool = False
    party: Party | None = None

    @property
    def confirm_first(self) -> bool:
        return self.action in CONFIRM_FIRST


def compact_actions(user, compact: Compact) -> list[Action]:
    """The lifecycle buttons this user may press now (the services check again)."""
    if not user.is_authenticated:
        return []
    owned = list(owned_parties(user, compact).select_related("organisation"))
    editor = user.has_perm(REVIEW_PERM)
    allowed = {
        lifecycle.PARTY_OWNER: bool(owned),
        lifecycle.EDITOR: editor,
        lifecycle.EITHER: bool(owned) or editor,
    }
    signed = set(
        compact.signatures.filter(revision=compact.revision).values_list("party", flat=True)
    )
    actions = []
    for t in lifecycle.TRANSITIONS.values():
        if compact.status not in t.sources or not allowed[t.actor]:
            continue
        if t.action == "sign":
            actions += [
                Action("sign", _("Sign for %(org)s") % {"org": p.organisation.name}, party=p)
                for p in owned
                if p.pk not in signed
            ]
        else:
            actions.append(Action(t.action, t.label, t.reason_required))
    if compact.status == CompactStatus.ACTIVE and owned:
        actions.append(Action("amend", _("Amend (a new version)"), reason=True))
    return actions


def signatures_awaited(compact: Compact) -> list[str]:
    """The parties whose signature of the current revision is still awaited, by name."""
    signed = compact.signatures.filter(revision=compact.revision).values_list("party", flat=True)
    return [
        p.organisation.name
        for p in compact.parties.exclude(pk__in=signed).select_related("organisation")
    ]


def transition_history(compact: Compact) -> list[tuple[Transition, str]]:
    """Each step with who took it: the acting organisation, or "an editor" for anyone who
    acted for the alliance rather than for a party. People are never named."""
    transitions = list(compact.transitions.select_related("organisation"))
    acting = dict(
        Membership.objects.filter(
            user__in=[t.actor_id for t in transitions if t.actor_id],
            organisation__parties__compact=compact,
        ).values_list("user", "organisation__name")
    )
    rows = []
    for t in transitions:
        if t.organisation:
            who = t.organisation.name
        elif t.actor_id in acting:
            who = acting[t.actor_id]
        else:
            who = _("an editor") if t.actor_id else _("the platform")
        rows.append((t, who))
    return rows


def _reports(user, compact: Compact, owned: list[Party]) -> list[ProgressReport]:
    parties = compact.parties.count()
    reports = list(
        compact.reports.select_related("party__organisation").prefetch_related(
            "values__outcome", "confirmations__party__organisation"
        )
    )
    for report in reports:
        confirmed = {c.party_id for c in report.confirmations.all()}
        report.confirmed_count, report.party_count = len(confirmed), parties
        report.confirmable = [p for p in owned if p.pk not in confirmed]
    return reports


def _leaving(compact: Compact, party: Party, owned: list[Party], mine: set[int]) -> str:
    """The button a member sees by a party: "withdraw" their own party (an owner), "remove" a
    party only named in a draft (a member of another party), or none."""
    if compact.status not in lifecycle.EDITABLE or not mine:
        return ""
    if party in owned:
        return "withdraw"
    if (
        compact.status == CompactStatus.DRAFT
        and party.organisation_id not in mine
        and party_only_named(party, compact)
    ):
        return "remove"
    return ""


def compact_page(user, compact: Compact) -> dict:
    """Everything a compact's page shows to this user."""
    parties = list(
        compact.parties.select_related("organisation__country").prefetch_related(
            Prefetch("resources", queryset=Resource.objects.order_by("pk"))
        )
    )
    signed = set(
        compact.signatures.filter(revision=compact.revision).values_list("party", flat=True)
    )
    owned = list(owned_parties(user, compact))
    member = party_member(user, compact)
    mine = set(user.organisations.values_list("pk", flat=True)) if member else set()
    for party in parties:
        party.signed_current = party.pk in signed
        party.leaving = _leaving(compact, party, owned, mine)
    versions = (
        Compact.objects.visible_to(user)
        .filter(lineage=compact.lineage)
        .exclude(pk=compact.pk)
        .order_by("version")
    )
    last_report = compact.reports.order_by("-filed_at").first()
    return {
        "compact": compact,
        "parties": parties,
        "countries": list(compact.countries.all()),
        "safeguards": [
            (Compact._meta.get_field(name).verbose_name, getattr(compact, name))
            for name in Compact.SAFEGUARDS
        ],
        "progress": outcome_progress(compact),
        "milestones": list(compact.milestones.all()),
        "reports": _reports(user, compact, owned),
        "versions": list(versions),
        "history": transition_history(compact),
        "actions": compact_actions(user, compact),
        "is_party_member": member,
        "editable": member and compact.status in lifecycle.EDITABLE,
        "can_report": member and compact.status == CompactStatus.ACTIVE,
        "missing": compact_missing(compact) if compact.status == CompactStatus.DRAFT else (),
        "stale_since": (last_report.filed_at if last_report else compact.activated_at)
        if compact.stale_since
        else None,
    }


# the member's dashboard --------------------------------------------------------------------


@dataclass
class Suggested:
    suggestion: Suggestion
    parts: list[tuple[str, float, str]] = field(default_factory=list)  # label, value, words
    compact: Compact | None = None  # one already started from it


def _suggested(suggestions: list[Suggestion], started: dict) -> list[Suggested]:
    return [
        Suggested(
            s,
            [
                (PART_LABELS.get(name, name), value, strength(value))
                for name, value in s.parts.items()
            ],
            started.get((s.offer_id, s.need_id)),
        )
        for s in suggestions
    ]


def _user_emails_q(user) -> Q:
    emails = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    q = Q(pk__in=[])
    for email in emails:
        q |= Q(email__iexact=email)
    return q


def dashboard(user) -> dict:
    memberships = list(Membership.objects.filter(user=user).select_related("organisation__country"))
    orgs = [m.organisation_id for m in memberships]
    alliance_statuses_prime(m.organisation for m in memberships)
    owned_orgs = {m.organisation_id for m in memberships if m.role == Role.OWNER}
    open_compacts = list(
        Compact.objects.filter(parties__organisation__in=orgs, status__in=OPEN_STATUSES)
        .distinct()
        .prefetch_related("parties__organisation", "signatures")
    )
    awaiting = []
    for compact in open_compacts:
        if compact.status != CompactStatus.PROPOSED:
            continue
        signed = {s.party_id for s in compact.signatures.all() if s.revision == compact.revision}
        mine = [
            p
            for p in compact.parties.all()
            if p.organisation_id in owned_orgs and p.pk not in signed
        ]
        if mine:
            awaiting.append((compact, mine))
    suggestions = list(
        Suggestion.objects.filter(Q(need__organisation__in=orgs) | Q(offer__organisation__in=orgs))
        .select_related("need__organisation", "offer__organisation", "need__country")
        .order_by("-score", "pk")
    )
    started = {
        (c.suggestion_offer_id, c.suggestion_need_id): c
        for c in Compact.objects.filter(
            parties__organisation__in=orgs, suggestion_offer__isnull=False
        ).exclude(status=CompactStatus.WITHDRAWN)
    }
    for_needs: dict[Need, list[Suggestion]] = {}
    for_offers: dict[Offer, list[Suggestion]] = {}
    for s in suggestions:
        if s.need.organisation_id in orgs:
            for_needs.setdefault(s.need, []).append(s)
        elif s.offer.organisation_id in orgs:
            for_offers.setdefault(s.offer, []).append(s)
    principles, endorsements_due = directory_endorsements_due(user)
    return {
        "memberships": memberships,
        "principles": principles,
        "endorsements_due": endorsements_due,
        "invitations": list(
            Invitation.objects.filter(_user_emails_q(user), accepted_at__isnull=True)
            .exclude(organisation__in=orgs)
            .select_related("organisation")
        ),
        "open_compacts": open_compacts,
        "active_compacts": list(
            Compact.objects.filter(parties__organisation__in=orgs, status=CompactStatus.ACTIVE)
            .distinct()
            .order_by("title")
        ),
        "awaiting": awaiting,
        "draft_offers": list(
            Offer.objects.filter(organisation__in=orgs, status=PublicationStatus.DRAFT)
        ),
        "draft_needs": list(
            Need.objects.filter(organisation__in=orgs, status=PublicationStatus.DRAFT)
        ),
        "for_needs": [
            (need, _suggested(found[:SUGGESTIONS_SHOWN], started))
            for need, found in for_needs.items()
        ],
        "for_offers": [
            (offer, _suggested(found[:SUGGESTIONS_SHOWN], started))
            for offer, found in for_offers.items()
        ],
    }


# organisations -----------------------------------------------------------------------------


def organisation_page(user, organisation: Organisation) -> dict:
    is_member = user.is_authenticated and organisation.memberships.filter(user=user).exists()
    is_owner = is_member and organisation.memberships.filter(user=user, role=Role.OWNER).exists()
    offers = organisation.offers.all() if is_member else organisation.offers.published()
    needs = organisation.needs.all() if is_member else organisation.needs.published()
    return {
        "organisation": organisation,
        "is_member": is_member,
        "is_owner": is_owner,
        "offers": list(offers.exclude(status=PublicationStatus.WITHDRAWN)),
        "needs": list(needs.exclude(status=PublicationStatus.WITHDRAWN).select_related("country")),
        "compacts": list(
            Compact.objects.visible_to(user)
            .filter(parties__organisation=organisation)
            .distinct()
            .order_by("-created_at")
        ),
    }


def organisation_members(organisation: Organisation) -> dict:
    return {
        "memberships": list(
            organisation.memberships.select_related("user").order_by("role", "joined_at")
        ),
        "invitations": list(organisation.invitations.filter(accepted_at__isnull=True)),
    }
