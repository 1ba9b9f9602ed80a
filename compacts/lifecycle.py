"""The compact lifecycle as data: which action moves which state where, who may take it, and
why it may be refused. No database: services ask `refusal()` before they change anything, and
tests walk every (state, action) pair from the same table.

    draft -> proposed (every party invited) -> signed (every party's owner signed)
          -> under_review (an editor checks the safeguards) -> active -> completed
    terminated / withdrawn end a compact early; completed, terminated and withdrawn each need
    a reason, kept in the history. An amendment of an active compact is a new version that
    goes through the same steps and, once active, supersedes it.

Past draft a compact always has two parties or more: every action that moves it forward checks
it, and a party may leave a proposed or signed compact only if two stay (`withdrawal_refusal`).
"""

from __future__ import annotations

from dataclasses import dataclass

from compacts.translating import gettext as _
from compacts.translating import gettext_lazy, pgettext_lazy
from compacts.wording import a_compact

DRAFT, PROPOSED, SIGNED, UNDER_REVIEW, ACTIVE = (
    "draft",
    "proposed",
    "signed",
    "under_review",
    "active",
)
COMPLETED, TERMINATED, WITHDRAWN, SUPERSEDED = "completed", "terminated", "withdrawn", "superseded"
STATES = (
    DRAFT,
    PROPOSED,
    SIGNED,
    UNDER_REVIEW,
    ACTIVE,
    COMPLETED,
    TERMINATED,
    WITHDRAWN,
    SUPERSEDED,
)
FINAL = frozenset({COMPLETED, TERMINATED, WITHDRAWN, SUPERSEDED})
EDITABLE = frozenset({DRAFT, PROPOSED, SIGNED})  # an edit after a signature voids signatures

# who may act: an owner of one of the parties, an editor of the alliance, or either
PARTY_OWNER, EDITOR, EITHER = "party_owner", "editor", "party_owner_or_editor"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actor: str
    reason_required: bool = False
    label: str = ""


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "propose", frozenset({DRAFT}), PROPOSED, PARTY_OWNER, label=gettext_lazy("Propose")
        ),
        # the last signature moves the compact to `signed`; earlier ones leave it proposed
        Transition("sign", frozenset({PROPOSED}), SIGNED, PARTY_OWNER, label=gettext_lazy("Sign")),
        Transition(
            "submit",
            frozenset({SIGNED}),
            UNDER_REVIEW,
            PARTY_OWNER,
            label=gettext_lazy("Submit for review"),
        ),
        Transition(
            "activate", frozenset({UNDER_REVIEW}), ACTIVE, EDITOR, label=gettext_lazy("Approve")
        ),
        Transition(
            "return",
            frozenset({UNDER_REVIEW}),
            DRAFT,
            EDITOR,
            reason_required=True,
            label=gettext_lazy("Return for changes"),
        ),
        Transition(
            "complete",
            frozenset({ACTIVE}),
            COMPLETED,
            PARTY_OWNER,
            reason_required=True,
            label=gettext_lazy("Complete"),
        ),
        Transition(
            "terminate",
            frozenset({ACTIVE}),
            TERMINATED,
            EITHER,
            reason_required=True,
            label=gettext_lazy("Terminate"),
        ),
        Transition(
            "withdraw",
            frozenset({DRAFT, PROPOSED, SIGNED, UNDER_REVIEW}),
            WITHDRAWN,
            PARTY_OWNER,
            reason_required=True,
            label=gettext_lazy("Withdraw"),
        ),
    )
}
ACTIONS = tuple(TRANSITIONS)
# actions that take a compact forward: each needs two parties or more, not only `propose`
NEEDS_PARTIES = frozenset({"propose", "sign", "submit", "activate", "complete"})

# the actions and states as the refusals word them, mid-sentence
VERBS = {
    "propose": pgettext_lazy("compact action", "propose"),
    "sign": pgettext_lazy("compact action", "sign"),
    "submit": pgettext_lazy("compact action", "submit"),
    "activate": pgettext_lazy("compact action", "activate"),
    "return": pgettext_lazy("compact action", "return"),
    "complete": pgettext_lazy("compact action", "complete"),
    "terminate": pgettext_lazy("compact action", "terminate"),
    "withdraw": pgettext_lazy("compact action", "withdraw"),
}
STATE_WORDS = {
    DRAFT: pgettext_lazy("compact status", "draft"),
    PROPOSED: pgettext_lazy("compact status", "proposed"),
    SIGNED: pgettext_lazy("compact status", "signed"),
    UNDER_REVIEW: pgettext_lazy("compact status", "under review"),
    ACTIVE: pgettext_lazy("compact status", "active"),
    COMPLETED: pgettext_lazy("compact status", "completed"),
    TERMINATED: pgettext_lazy("compact status", "terminated"),
    WITHDRAWN: pgettext_lazy("compact status", "withdrawn"),
    SUPERSEDED: pgettext_lazy("compact status", "superseded"),
}


def reason_required_message(action: str) -> str:
    return _("Say why: a reason is required to %(action)s a compact.") % {
        "action": VERBS.get(action, action)
    }


def not_an_action_message(action: str) -> str:
    return _("“%(action)s” is not an action on a compact.") % {"action": action}


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about a compact, gathered by the service."""

    parties: int = 2
    missing: tuple[str, ...] = ()  # parts still to fill in before it can be proposed
    unverified: tuple[str, ...] = ()  # parties whose organisation no editor has verified yet
    non_members: tuple[str, ...] = ()  # parties without an accepted membership of the alliance
    unsigned: tuple[str, ...] = ()  # parties still to sign, the signer included
    reason: str = ""
    signer_signed: bool = False  # the signing party already signed this revision
    open_reports: tuple[str, ...] = ()  # reports not yet confirmed by every party


def refusal(state: str, action: str, facts: Facts) -> str | None:
    """Why `action` cannot be taken from `state`, in words; None when it can."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return not_an_action_message(action)
    if state not in transition.sources:
        allowed = ", ".join(str(STATE_WORDS[source]) for source in sorted(transition.sources))
        return _("%(a_compact)s cannot %(action)s: only from %(allowed)s.") % {
            "a_compact": a_compact(state),
            "action": VERBS[action],
            "allowed": allowed,
        }
    if transition.reason_required and not facts.reason.strip():
        return reason_required_message(action)
    if action in NEEDS_PARTIES and facts.parties < 2:
        return _("A compact needs at least two parties.")
    if action == "propose":
        if facts.missing:
            return _("Fill in before proposing: %(missing)s.") % {
                "missing": ", ".join(str(m) for m in facts.missing)
            }
    if action == "sign":
        if facts.non_members:
            return _(
                "Every party must be an accepted member of the alliance before signing; "
                "not yet: %(parties)s. Apply to join at /join/."
            ) % {"parties": ", ".join(facts.non_members)}
        if facts.unverified:
            return _(
                "Every party's organisation must be verified by an editor before signing; "
                "not yet: %(parties)s."
            ) % {"parties": ", ".join(facts.unverified)}
        if facts.signer_signed:
            return _("This party has already signed this version.")
    if action == "complete" and facts.open_reports:
        return _(
            "Progress reports are not yet confirmed by every party: %(reports)s. A compact is "
            "completed on verified progress."
        ) % {"reports": ", ".join(facts.open_reports)}
    if action == "submit" and facts.unsigned:
        return _("Every party must sign first; still to sign: %(parties)s.") % {
            "parties": ", ".join(facts.unsigned)
        }
    return None


def target(state: str, action: str, facts: Facts) -> str:
    """Where `action` leads (after `refusal` said it may be taken)."""
    if action == "sign":
        # `unsigned` still counts the signer: the last signature is the one that completes it
        return SIGNED if len(facts.unsigned) <= 1 else PROPOSED
    return TRANSITIONS[action].target


def withdrawal_refusal(state: str, parties_left: int) -> str | None:
    """Why a party cannot leave a compact in `state`, leaving `parties_left`; None when it can.
    A party leaves before the compact is in force; once in force the compact is public record,
    and a party that wants out terminates it (with a reason, in the registry)."""
    if state in FINAL:
        return _("%(a_compact)s keeps its parties: it has ended.") % {"a_compact": a_compact(state)}
    if state == ACTIVE:
        return _(
            "An active compact keeps its parties: a party that wants out terminates it, with a "
            "reason."
        )
    if state == UNDER_REVIEW:
        return _(
            "A compact under review keeps its parties: withdraw the compact, or leave it once "
            "an editor has returned it for changes."
        )
    if state != DRAFT and parties_left < 2:
        return _(
            "%(a_compact)s keeps at least two parties: withdraw the compact instead of leaving "
            "it with one."
        ) % {"a_compact": a_compact(state)}
    if parties_left < 1:
        return _("A compact keeps at least one party: withdraw the compact instead.")
    return None
