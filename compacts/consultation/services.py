"""Writes of the consultation: proposing, commenting, supporting, moderating, closing the
comment period, deciding and withdrawing.

Every function checks who acts before it changes anything and runs in one transaction; a
refusal raises (PermissionDenied, DomainError) and leaves everything as it was. Opening a
proposal, closing its comment period, withdrawing it and the editors' decision are entries of
the transparency log, named by the proposal's number (`methodology-proposal-N`), never by who
wrote it; their digest is the digest of the proposed definition.

    propose, comment    a user in an organisation that is an accepted member of the alliance
    support             any signed-in account, once, while the proposal is open
    moderate, decide    editors (compacts.decide_methodologyproposal)
    withdraw            the author, while the proposal is open
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.errors import DomainError, InvalidInput
from aimai_site.validators import plain_text, single_line
from compacts.consultation.models import (
    PERIOD_DEFAULT_DAYS,
    PERIOD_MAX_DAYS,
    PERIOD_MIN_DAYS,
    MethodologyProposal,
    ProposalComment,
    ProposalStatus,
    ProposalSupport,
)
from compacts.consultation.shifts import ProposalInputError, proposal_prepare, source_dump
from compacts.models import Organisation
from compacts.permissions import (
    NOT_SIGNED_IN,
    require_alliance_member,
    require_editor,
    require_member,
)
from countries.index.methodology import MethodologyError
from countries.index.reading import methodology_load
from countries.models import MethodologyVersion
from countries.scoring import methodology_version_publish, methodology_version_save
from registry.merkle import canonical_json
from registry.services import Event, registry_append

DECIDE_PERM = "compacts.decide_methodologyproposal"
OUTCOMES = {
    "adopt": ProposalStatus.ADOPTED,
    "adopt_in_part": ProposalStatus.ADOPTED_IN_PART,
    "decline": ProposalStatus.DECLINED,
}
TITLE_MAX = 200
TEXT_MAX = 10_000

# a whole sentence per action, for translators; the status is the proposal's, lower-cased
NOT_OPEN = {
    "withdrawn": gettext_lazy("Proposal %(pk)s is %(status)s: it can no longer be withdrawn."),
    "commented on": gettext_lazy(
        "Proposal %(pk)s is %(status)s: it can no longer be commented on."
    ),
    "supported": gettext_lazy("Proposal %(pk)s is %(status)s: it can no longer be supported."),
    "supported or unsupported": gettext_lazy(
        "Proposal %(pk)s is %(status)s: it can no longer be supported or unsupported."
    ),
}
NOT_CLOSED = gettext_lazy(
    "The comment period of proposal %(pk)s runs until %(closes)s UTC: the editors decide once "
    "it has closed."
)
ALREADY_DECIDED = gettext_lazy("Proposal %(pk)s is %(status)s: it was decided already.")
MOVED_ON = gettext_lazy(
    "%(methodology)s moved on to version %(current)s since proposal %(pk)s was measured on "
    "version %(base)s: adopting it as it is would undo that version. Adopt it in part, with a "
    "file based on version %(current)s."
)
NO_MEMBER = gettext_lazy(
    "Only members of the alliance can %(action)s: you are in no organisation that is a member. "
    "Apply to join at /join/."
)


def _sha256(document) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


def _text(value, field: str, *, required: str = "", limit: int = TEXT_MAX, single=False) -> str:
    if not isinstance(value, str):
        raise InvalidInput(_("Text, please."), field=field)
    value = value.strip()
    if not value:
        if required:
            raise InvalidInput(required, field=field)
        return ""
    if len(value) > limit:
        raise InvalidInput(
            _("At most %(limit)s characters.")
            % {"limit": number_format(limit, force_grouping=True)},
            field=field,
        )
    try:
        (single_line if single else plain_text)(value)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field=field) from None
    return value


def _signed_in(user) -> None:
    if not user.is_authenticated:
        raise PermissionDenied(NOT_SIGNED_IN)


def _require_alliance_member(user, organisation: Organisation | None, action: str) -> None:
    """The user speaks for an accepted member of the alliance: the alliance's own gate."""
    _signed_in(user)
    if organisation is None:
        raise PermissionDenied(NO_MEMBER % {"action": action})
    require_member(user, organisation)
    require_alliance_member(organisation, action)


def _locked(proposal: MethodologyProposal) -> MethodologyProposal:
    return MethodologyProposal.objects.select_for_update().get(pk=proposal.pk)


def _require_open(proposal: MethodologyProposal, action: str) -> None:
    if proposal.status != ProposalStatus.OPEN:
        raise DomainError(
            NOT_OPEN[action] % {"pk": proposal.pk, "status": proposal.get_status_display().lower()},
            code="not_open",
        )


def _event(proposal: MethodologyProposal, event: str, *, suffix: str = "", note=None) -> Event:
    """An entry about a proposal: its number and page, the digest of its definition."""
    return Event(
        event=f"methodology_proposal.{event}",
        identifier=proposal.log_identifier + (f":{suffix}" if suffix else ""),
        url=proposal.get_absolute_url(),
        digest=proposal.definition_digest,
        note_digest=_sha256(note) if note is not None else "",
    )


def opening_document(proposal: MethodologyProposal) -> dict:
    """What the `opened` entry's note digest covers: what the proposal was measured on, its
    stored shifts and its comment period."""
    return {
        "proposal": proposal.pk,
        "base_version": f"{proposal.base_version.methodology.slug}@{proposal.base_version.version}",
        "score_set": proposal.score_set.digest,
        "shifts_digest": _sha256(proposal.shifts),
        "opens_at": proposal.opens_at.isoformat(),
        "closes_at": proposal.closes_at.isoformat(),
    }


def decision_document(proposal: MethodologyProposal) -> dict:
    """What the `decided` entry's note digest covers: the outcome, the written reason and,
    for an adoption, the version published and its digest."""
    adopted = proposal.adopted_version
    return {
        "proposal": proposal.pk,
        "outcome": proposal.status,
        "reason": proposal.decision_reason,
        "definition_digest": proposal.definition_digest,
        "adopted_version": (f"{adopted.methodology.slug}@{adopted.version}" if adopted else None),
        "adopted_digest": adopted.digest if adopted else None,
    }


# proposing ---------------------------------------------------------------------------------


def period_check(days) -> int:
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise InvalidInput(_("A number of days."), field="period_days") from None
    if not PERIOD_MIN_DAYS <= days <= PERIOD_MAX_DAYS:
        raise InvalidInput(
            _("The comment period is %(min)s to %(max)s days.")
            % {"min": PERIOD_MIN_DAYS, "max": PERIOD_MAX_DAYS},
            field="period_days",
        )
    return days


@transaction.atomic
def proposal_open(
    *,
    user,
    organisation: Organisation | None,
    title: str,
    rationale: str,
    period_days: int = PERIOD_DEFAULT_DAYS,
    state: str = "",
    source: str = "",
) -> MethodologyProposal:
    """Open a proposal for public comment: its definition (from the explorer's settings, or a
    methodology file) is measured on the current headline score set, and the rank shifts it
    causes are stored with it."""
    # Translators: ends "Only members of the alliance can …"
    _require_alliance_member(user, organisation, _("propose methodology changes"))
    title = _text(
        title, "title", required=_("Give the proposal a title."), limit=TITLE_MAX, single=True
    )
    rationale = _text(rationale, "rationale", required=_("Say why the methodology should change."))
    days = period_check(period_days)
    prepared = proposal_prepare(state=state or "", source=source or "")
    now = timezone.now()
    proposal = MethodologyProposal(
        title=title,
        rationale=rationale,
        author=user,
        organisation=organisation,
        base_version=prepared.base_version,
        score_set=prepared.score_set,
        definition=prepared.definition,
        definition_digest=prepared.digest,
        source=prepared.source,
        explorer_state=prepared.explorer_state,
        changes=prepared.changes,
        shifts=prepared.shifts,
        period_days=days,
        opens_at=now,
        closes_at=now + timezone.timedelta(days=days),
    )
    proposal.full_clean()
    proposal.save()
    registry_append([_event(proposal, "opened", note=opening_document(proposal))])
    return proposal


@transaction.atomic
def proposal_withdraw(*, user, proposal: MethodologyProposal) -> MethodologyProposal:
    _signed_in(user)
    if proposal.author_id != user.pk:
        raise PermissionDenied(_("Only the author of a proposal can withdraw it."))
    proposal = _locked(proposal)
    _require_open(proposal, "withdrawn")
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.withdrawn_at = proposal.closed_at = timezone.now()
    proposal.save(update_fields=["status", "withdrawn_at", "closed_at"])
    registry_append([_event(proposal, "withdrawn", suffix="withdrawn")])
    return proposal


# comments and supports ---------------------------------------------------------------------


@transaction.atomic
def proposal_comment(
    *, user, proposal: MethodologyProposal, organisation: Organisation | None, text: str
) -> ProposalComment:
    # Translators: ends "Only members of the alliance can …"
    _require_alliance_member(user, organisation, _("comment on methodology proposals"))
    text = _text(text, "text", required=_("Write your comment first."))
    proposal = _locked(proposal)
    _require_open(proposal, "commented on")
    return ProposalComment.objects.create(
        proposal=proposal, author=user, organisation=organisation, text=text
    )


@transaction.atomic
def proposal_support(*, user, proposal: MethodologyProposal) -> ProposalSupport:
    _signed_in(user)
    proposal = _locked(proposal)
    _require_open(proposal, "supported")
    support, created = ProposalSupport.objects.get_or_create(proposal=proposal, user=user)
    if not created:
        raise DomainError(_("You support this proposal already."), code="already_supported")
    return support


@transaction.atomic
def proposal_unsupport(*, user, proposal: MethodologyProposal) -> None:
    _signed_in(user)
    proposal = _locked(proposal)
    _require_open(proposal, "supported or unsupported")
    deleted, _rows = ProposalSupport.objects.filter(proposal=proposal, user=user).delete()
    if not deleted:
        raise DomainError(_("You do not support this proposal."), code="not_supported")


@transaction.atomic
def comment_moderate(*, user, comment: ProposalComment, reason: str) -> ProposalComment:
    """Hide a comment, with the reason shown in its place; its text stays stored."""
    require_editor(user, DECIDE_PERM)
    reason = _text(reason, "reason", required=_("Say why the comment is hidden."), limit=2000)
    comment = ProposalComment.objects.select_for_update().get(pk=comment.pk)
    if comment.hidden:
        raise DomainError(_("This comment is hidden already."), code="already_hidden")
    comment.hidden_reason = reason
    comment.hidden_by = user
    comment.hidden_at = timezone.now()
    comment.save(update_fields=["hidden_reason", "hidden_by", "hidden_at"])
    return comment


# the comment period ------------------------------------------------------------------------


def _close(proposal: MethodologyProposal, now) -> None:
    proposal.status = ProposalStatus.CLOSED
    proposal.closed_at = now
    proposal.save(update_fields=["status", "closed_at"])
    note = {
        "proposal": proposal.pk,
        "comments": proposal.comments.count(),
        "supports": proposal.supports.count(),
        "closed_at": now.isoformat(),
    }
    registry_append([_event(proposal, "comments_closed", note=note)])


@transaction.atomic
def proposals_close(now=None) -> list[MethodologyProposal]:
    """Close the comment period of every open proposal whose period has ended (run by beat;
    running it again closes nothing twice)."""
    now = now or timezone.now()
    due = list(MethodologyProposal.objects.select_for_update().due_to_close(now).order_by("pk"))
    for proposal in due:
        _close(proposal, now)
    return due


# the decision ------------------------------------------------------------------------------


def _adopt(*, source: str, changes: str, field: str) -> MethodologyVersion:
    """Save and publish a methodology version (the existing publish path: it is logged, and
    the index is recomputed once this transaction commits). `field` is the form field a
    taken or invalid version number belongs to."""
    try:
        draft = methodology_version_save(source=source, changes=changes)
    except DomainError as exc:
        raise InvalidInput(exc.message, field=field, code=exc.code) from None
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field=field) from None
    return methodology_version_publish(version=draft)


def _adopted_source(proposal: MethodologyProposal, version: str) -> str:
    """The proposal's definition under the version number the editor gives."""
    version = _text(version, "version", required=_("Give the new version number."), limit=20)
    definition = dict(proposal.definition)
    definition["version"] = version
    # part of the published definition and its digest: English, never translated
    definition["changes"] = f"Adopted from methodology proposal {proposal.pk}: {proposal.title}"
    return source_dump(definition)


def _in_part_source(proposal: MethodologyProposal, source: str) -> str:
    if not isinstance(source, str) or not source.strip():
        raise InvalidInput(
            _("Give the methodology file adopted: the proposal as edited."), field="source"
        )
    try:
        parsed = methodology_load(source)
    except MethodologyError as exc:
        raise ProposalInputError(exc.errors, field="source") from None
    slug = proposal.base_version.methodology.slug
    if parsed.slug != slug:
        raise InvalidInput(
            _("This file is methodology “%(file)s”; the proposal changes “%(slug)s”.")
            % {"file": parsed.slug[:60], "slug": slug},
            field="source",
        )
    return source


@transaction.atomic
def proposal_decide(
    *,
    user,
    proposal: MethodologyProposal,
    outcome: str,
    reason: str,
    version: str = "",
    source: str = "",
) -> MethodologyProposal:
    """The editors' decision, once the comment period has closed, with a written reason:
    `adopt` publishes the proposal's definition as `version`; `adopt_in_part` publishes the
    edited file `source`; `decline` publishes nothing."""
    require_editor(user, DECIDE_PERM)
    if outcome not in OUTCOMES:
        raise InvalidInput(_("Adopt, adopt in part or decline."), field="outcome")
    reason = _text(reason, "reason", required=_("Say why: the decision's reason is published."))
    proposal = _locked(proposal)
    if proposal.is_decided or proposal.status == ProposalStatus.WITHDRAWN:
        raise DomainError(
            ALREADY_DECIDED % {"pk": proposal.pk, "status": proposal.get_status_display().lower()},
            code="decided",
        )
    if proposal.status == ProposalStatus.OPEN:
        raise DomainError(
            NOT_CLOSED
            % {"pk": proposal.pk, "closes": date_format(proposal.closes_at, "d F Y H:i")},
            code="still_open",
        )
    adopted = None
    if outcome == "adopt":
        base = proposal.base_version
        current = MethodologyVersion.objects.filter(methodology=base.methodology_id).current()
        if current is not None and current.pk != base.pk:
            raise DomainError(
                MOVED_ON
                % {
                    "methodology": base.methodology.slug,
                    "current": current.version,
                    "base": base.version,
                    "pk": proposal.pk,
                },
                code="moved_on",
            )
        # the version's changes, like its definition, are published and digested: English
        adopted = _adopt(
            source=_adopted_source(proposal, version),
            changes=f"Adopted from methodology proposal {proposal.pk}: {proposal.title}",
            field="version",
        )
    elif outcome == "adopt_in_part":
        adopted = _adopt(
            source=_in_part_source(proposal, source),
            changes=f"Adopted in part from methodology proposal {proposal.pk}: {proposal.title}",
            field="source",
        )
    proposal.status = OUTCOMES[outcome]
    proposal.decision_reason = reason
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.adopted_version = adopted
    proposal.save(
        update_fields=["status", "decision_reason", "decided_by", "decided_at", "adopted_version"]
    )
    suffix = proposal.status.replace("_", "-")
    if adopted is not None:
        suffix += f":{adopted.methodology.slug}@{adopted.version}"
    registry_append([_event(proposal, "decided", suffix=suffix, note=decision_document(proposal))])
    return proposal
