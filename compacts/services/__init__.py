"""Writes of the compacts app. Every function checks who acts (permissions.py) and what the
rules allow (lifecycle.py) before it changes anything, runs in one transaction, and records
public events in the transparency registry inside that same transaction.

    members       organisations, invitations, memberships
    listings      offers and needs
    content       what a compact says (each edit a new revision)
    transitions   the lifecycle, amendments, the compact's public digest
    progress      reports, confirmations, stale compacts
    erasure       a person erased at their request, the log's proofs intact
"""

from compacts.services.content import (
    compact_create,
    compact_from_suggestion,
    compact_part_delete,
    compact_part_save,
    compact_update,
    milestone_done,
    party_add,
    party_only_named,
    party_remove,
)
from compacts.services.erasure import person_erase
from compacts.services.listings import listing_publish, listing_withdraw, need_save, offer_save
from compacts.services.members import (
    invitation_accept,
    invitation_create,
    membership_remove,
    organisation_create,
    organisation_delete,
    organisation_delete_refusal,
    organisation_update,
    organisation_verify,
)
from compacts.services.progress import (
    compacts_mark_stale,
    report_confirm,
    report_file,
)
from compacts.services.transitions import (
    compact_amend,
    compact_digest,
    compact_document,
    compact_missing,
    compact_transition,
)

__all__ = [
    "compact_amend",
    "compact_create",
    "compact_digest",
    "compact_document",
    "compact_from_suggestion",
    "compact_missing",
    "compact_part_delete",
    "compact_part_save",
    "compact_transition",
    "compact_update",
    "compacts_mark_stale",
    "invitation_accept",
    "invitation_create",
    "listing_publish",
    "listing_withdraw",
    "membership_remove",
    "milestone_done",
    "need_save",
    "offer_save",
    "organisation_create",
    "organisation_delete",
    "organisation_delete_refusal",
    "organisation_update",
    "organisation_verify",
    "party_add",
    "party_only_named",
    "party_remove",
    "person_erase",
    "report_confirm",
    "report_file",
]
