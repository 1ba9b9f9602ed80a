"""Methodology proposals, their comments and their supports.

A proposal is frozen when it opens: its definition, the digest of it, the score set it was
measured against and the rank shifts it causes there are stored together, so that the shifts
can be computed again from the definition and checked (see `consultation.shifts`). Only the
comment period, the decision and the moderation of comments change afterwards.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aimai_site.validators import plain_text, single_line

PERIOD_MIN_DAYS = 14
PERIOD_MAX_DAYS = 90
PERIOD_DEFAULT_DAYS = 30


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open for comment")
    CLOSED = "closed", _("Comments closed, awaiting the editors' decision")
    ADOPTED = "adopted", _("Adopted")
    ADOPTED_IN_PART = "adopted_in_part", _("Adopted in part")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn by its author")


DECIDED = {ProposalStatus.ADOPTED, ProposalStatus.ADOPTED_IN_PART, ProposalStatus.DECLINED}


class MethodologyProposalQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ProposalStatus.OPEN)

    def due_to_close(self, now=None):
        return self.open().filter(closes_at__lte=now or timezone.now())

    def public_order(self):
        """Open first (the soonest to close first), then the rest, newest first."""
        return self.annotate(
            closed_last=models.Case(
                models.When(status=ProposalStatus.OPEN, then=0),
                default=1,
                output_field=models.IntegerField(),
            )
        ).order_by(
            "closed_last",
            models.Case(models.When(status=ProposalStatus.OPEN, then=models.F("closes_at"))).asc(
                nulls_last=True
            ),
            "-pk",
        )


class MethodologyProposal(models.Model):
    """A proposed change of a published methodology, open for public comment for a period."""

    title = models.CharField(max_length=200, validators=[single_line])
    rationale = models.TextField(_("why"), validators=[plain_text])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "compacts.Organisation",
        null=True,
        on_delete=models.SET_NULL,
        related_name="methodology_proposals",
        help_text=_("The member of the alliance the author proposed it for."),
    )
    base_version = models.ForeignKey(
        "countries.MethodologyVersion",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The published version the proposal changes."),
    )
    score_set = models.ForeignKey(
        "countries.ScoreSet",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The score set the rank shifts were computed on."),
    )
    definition = models.JSONField(help_text=_("The methodology as proposed."))
    definition_digest = models.CharField(max_length=64, db_index=True)
    source = models.TextField(help_text=_("The methodology file as proposed (YAML or JSON)."))
    explorer_state = models.CharField(
        max_length=2000,
        blank=True,
        help_text=_("The explorer's query string it came from, if any."),
    )
    changes = models.JSONField(default=list, help_text=_("What changes, one line each."))
    shifts = models.JSONField(
        default=list,
        help_text=_("Every country's published and proposed rank, AIMAI and class."),
    )
    period_days = models.PositiveSmallIntegerField(default=PERIOD_DEFAULT_DAYS)
    opens_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ProposalStatus, default=ProposalStatus.OPEN, db_index=True
    )
    decision_reason = models.TextField(blank=True, validators=[plain_text])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    adopted_version = models.ForeignKey(
        "countries.MethodologyVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The methodology version published from it."),
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = MethodologyProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        permissions = [
            (
                "decide_methodologyproposal",
                "Can moderate comments on methodology proposals and decide on them",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_days__gte=PERIOD_MIN_DAYS)
                & models.Q(period_days__lte=PERIOD_MAX_DAYS),
                name="proposal_period_in_range",
            ),
            models.UniqueConstraint(
                fields=["adopted_version"],
                condition=models.Q(adopted_version__isnull=False),
                name="one_proposal_per_adopted_version",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Proposal %(number)s: %(title)s") % {"number": self.pk, "title": self.title}

    def get_absolute_url(self) -> str:
        return reverse("proposals:detail", kwargs={"pk": self.pk})

    @property
    def number(self) -> int:
        return self.pk

    @property
    def log_identifier(self) -> str:
        """How the registry names it (never its author)."""
        return f"methodology-proposal-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == ProposalStatus.OPEN

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED


class ProposalComment(models.Model):
    """A member's comment. A moderator hides it with a reason; its text stays stored."""

    proposal = models.ForeignKey(
        MethodologyProposal, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "compacts.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(validators=[plain_text])
    created_at = models.DateTimeField(default=timezone.now)
    hidden_reason = models.TextField(blank=True, validators=[plain_text])
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return gettext("Comment %(number)s on proposal %(proposal)s") % {
            "number": self.pk,
            "proposal": self.proposal_id,
        }

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class ProposalSupport(models.Model):
    """One account's support of a proposal (withdrawn by deleting it)."""

    proposal = models.ForeignKey(
        MethodologyProposal, on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_support_per_account")
        ]

    def __str__(self) -> str:
        return gettext("Support of proposal %(proposal)s") % {"proposal": self.proposal_id}
