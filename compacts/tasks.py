"""Background jobs of the compacts app."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from compacts.alliance.services import memberships_lapse
from compacts.consultation.services import proposals_close
from compacts.services import compacts_mark_stale
from compacts.suggestions import suggestions_recompute


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def suggestions_recompute_task() -> dict:
    """Recompute every suggestion: queued when an offer, a need or the score set changes."""
    return suggestions_recompute()


@shared_task(acks_late=True)
def compacts_mark_stale_task() -> list[str]:
    """Mark active compacts whose progress report is overdue (scheduled daily by beat)."""
    return [c.reference for c in compacts_mark_stale()]


@shared_task(acks_late=True)
def memberships_lapse_task() -> int:
    """Lapse the memberships that did not endorse the current principles in time (daily)."""
    return memberships_lapse()


@shared_task(acks_late=True)
def proposals_close_task() -> list[int]:
    """Close the comment period of the methodology proposals whose period ended (hourly)."""
    return [proposal.pk for proposal in proposals_close()]
