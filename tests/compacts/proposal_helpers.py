"""Shared steps of the consultation's tests: a proposal opened from the explorer's settings,
its comment period run out, and the log's entries about it."""

import json

from django.utils import timezone

from compacts.consultation import services
from compacts.consultation.models import MethodologyProposal
from registry.models import Entry

STATE = "d.burden=0&bridger=5"
RATIONALE = "Burdens are measured poorly for small states; weigh them out until the data improve."


def proposal_open(cast, **overrides) -> MethodologyProposal:
    fields = {
        "user": cast.provider_owner,
        "organisation": cast.provider,
        "title": "Leave burdens out of AIMAI",
        "rationale": RATIONALE,
        "period_days": 14,
        "state": STATE,
        **overrides,
    }
    return services.proposal_open(**fields)


def period_over(proposal: MethodologyProposal) -> None:
    """The comment period ends (as if its days had passed)."""
    MethodologyProposal.objects.filter(pk=proposal.pk).update(
        closes_at=timezone.now() - timezone.timedelta(seconds=1)
    )


def entries_of(proposal: MethodologyProposal) -> list[dict]:
    """The log's documents about the proposal, oldest first."""
    rows = Entry.objects.filter(identifier__startswith=proposal.log_identifier).order_by(
        "leaf_index"
    )
    return [json.loads(row.entry) for row in rows]
