"""Members, what they offer and need, the suggestions that pair them, and their compacts.

Sets of words (domains, languages, resource kinds, target places) are JSON lists, checked
against their vocabularies in `clean()`; querysets filter them portably (see querysets.py).
A compact's content is edited only through services.py, which bump `revision`: a signature
counts only for the revision it was given for, so any change after a signature voids it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aimai_site.validators import one_alphabet, plain_text, single_line
from compacts.choices import (
    PUBLIC_STATUSES,
    CompactStatus,
    Contribution,
    Domain,
    Licence,
    OrganisationKind,
    PartyRole,
    PublicationStatus,
    ResourceKind,
    Role,
)
from compacts.querysets import CompactQuerySet, ListingQuerySet, OrganisationQuerySet
from compacts.vocabulary import TARGETS_HELP, languages_clean, targets_clean
from compacts.wording import amount, change
from countries.models import Country

LANGUAGE_MAX = 40


def _check_words(value, allowed, label: str) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError({label: gettext("A list of words.")})
    unknown = sorted(set(value) - set(allowed)) if allowed is not None else []
    if unknown:
        raise ValidationError(
            {label: gettext("Unknown: %(words)s.") % {"words": ", ".join(unknown)}}
        )


class Organisation(models.Model):
    """Who takes part: a person, a company, a non-profit, a public body... Only an organisation
    verified by an editor can sign a compact."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200, validators=[single_line, one_alphabet])
    # the name as people read it (aimai_site.validators.name_key): one organisation per name,
    # whatever its case, spacing or punctuation; kept in step by the services
    name_key = models.CharField(max_length=200, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=OrganisationKind)
    country = models.ForeignKey(
        "countries.Country", on_delete=models.PROTECT, related_name="organisations"
    )
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, validators=[plain_text])
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    example = models.BooleanField(
        default=False, help_text=_("Made by `seed_examples` for local exploration; not real.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("verify_organisation", "Can verify an organisation")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("compacts:organisation", kwargs={"slug": self.slug})

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership")
        ]

    def __str__(self) -> str:
        return gettext("%(user)s in %(organisation)s (%(role)s)") % {
            "user": self.user,
            "organisation": self.organisation,
            "role": self.role,
        }


class Invitation(models.Model):
    """An owner's invitation to an e-mail address; the account with that verified address
    accepts it from its dashboard."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="one_open_invitation",
            )
        ]

    def __str__(self) -> str:
        return gettext("%(email)s to %(organisation)s") % {
            "email": self.email,
            "organisation": self.organisation,
        }


class Listing(models.Model):
    """What offers and needs share: an owner, a status, domains and languages."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="%(class)ss"
    )
    title = models.CharField(max_length=200, validators=[single_line])
    description = models.TextField(blank=True, validators=[plain_text])
    domains = models.JSONField(default=list, help_text=_('Domains, e.g. ["climate", "health"].'))
    languages = models.JSONField(
        default=list, help_text=_('Language codes (ISO 639), e.g. ["sw"].')
    )
    status = models.CharField(
        max_length=10, choices=PublicationStatus, default=PublicationStatus.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-published_at", "-created_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        _check_words(self.domains, Domain.values, "domains")
        if not isinstance(self.languages, list):
            raise ValidationError({"languages": gettext("A list of language codes.")})
        self.languages, wrong = languages_clean(self.languages)
        if wrong:
            raise ValidationError(
                {
                    "languages": gettext("Not a language code: %(codes)s. Use en, sw or pt-BR.")
                    % {"codes": ", ".join(wrong)}
                }
            )
        if len(self.languages) > LANGUAGE_MAX:
            raise ValidationError(
                {"languages": gettext("At most %(most)d languages.") % {"most": LANGUAGE_MAX}}
            )


class Offer(Listing):
    """What an organisation contributes: compute, an open model, a dataset or know-how."""

    kind = models.CharField(max_length=10, choices=ResourceKind)
    targets = models.JSONField(
        default=list,
        blank=True,
        help_text=_("ISO3 codes or UN regions the offer is for; empty means anyone."),
    )
    licence = models.CharField(max_length=20, choices=Licence)
    sovereignty_terms = models.TextField(
        _("Reciprocal and data-sovereignty terms"),
        blank=True,
        help_text=_("What the provider asks in return, and how partners' data stays theirs."),
        validators=[plain_text],
    )
    hosted_in = models.ForeignKey(
        "countries.Country",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the hardware or the data resides, if anywhere."),
    )
    lacks = models.JSONField(
        default=list, blank=True, help_text=_("What the offer lacks: local_data, governance.")
    )
    # compute
    accelerator = models.CharField(
        max_length=100, blank=True, help_text=_("e.g. NVIDIA H100"), validators=[single_line]
    )
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(
        max_length=40, blank=True, help_text=_("e.g. GPU-hours per month"), validators=[single_line]
    )
    available_from = models.DateField(null=True, blank=True)
    available_until = models.DateField(null=True, blank=True)
    # open model
    model_name = models.CharField(max_length=200, blank=True, validators=[single_line])
    modality = models.CharField(
        max_length=100, blank=True, help_text=_("e.g. text, speech"), validators=[single_line]
    )
    parameters = models.CharField(
        max_length=40, blank=True, help_text=_("Model size, e.g. 7B"), validators=[single_line]
    )

    class Meta(Listing.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("compacts:offer", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        _check_words(self.lacks, Contribution.values, "lacks")
        if not isinstance(self.targets, list):
            raise ValidationError({"targets": gettext("A list of country codes or regions.")})
        codes = {w.upper() for w in self.targets if isinstance(w, str)}
        known = set(Country.objects.filter(iso3__in=codes).values_list("iso3", flat=True))
        self.targets, unknown = targets_clean(self.targets, known)
        if unknown:
            raise ValidationError(
                {
                    "targets": gettext("Not a country code or a region: %(words)s. %(help)s")
                    % {"words": ", ".join(unknown), "help": TARGETS_HELP}
                }
            )
        if self.kind == ResourceKind.COMPUTE and not (self.amount and self.unit):
            raise ValidationError({"amount": gettext("Compute needs an amount and its unit.")})
        if self.kind == ResourceKind.MODEL and not self.model_name:
            raise ValidationError({"model_name": gettext("Name the model.")})
        if (
            self.available_from
            and self.available_until
            and self.available_until < self.available_from
        ):
            raise ValidationError({"available_until": gettext("Ends before it starts.")})


class Need(Listing):
    """What an organisation seeks, and what it brings (local data, governance)."""

    country = models.ForeignKey("countries.Country", on_delete=models.PROTECT, related_name="+")
    wants = models.JSONField(default=list, help_text=_("Resource kinds sought."))
    brings = models.JSONField(default=list, blank=True, help_text=_("local_data, governance"))
    brings_detail = models.TextField(
        _("What it brings"),
        blank=True,
        help_text=_("The local data or governance it contributes."),
        validators=[plain_text],
    )
    licences = models.JSONField(default=list, help_text=_("Licence families it can accept."))
    data_stays = models.BooleanField(
        _("Data must stay in the country"),
        default=False,
        help_text=_("Data residency constraint."),
    )
    prefer_cluster = models.BooleanField(
        _("Prefer partners in our clusters"),
        default=False,
        help_text=_(
            "Rank offers from organisations that share a regional cluster with yours higher."
        ),
    )

    class Meta(Listing.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("compacts:need", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        _check_words(self.wants, ResourceKind.values, "wants")
        _check_words(self.brings, Contribution.values, "brings")
        _check_words(self.licences, Licence.values, "licences")
        if not self.wants:
            raise ValidationError({"wants": gettext("Name at least one resource kind.")})
        if not self.licences:
            raise ValidationError({"licences": gettext("Name at least one acceptable licence.")})


class Suggestion(models.Model):
    """A published offer suggested for a published need, with the matcher's reasons. The whole
    table is replaced by `suggestions_recompute` whenever offers, needs or scores change."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="suggestions")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="suggestions")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    parts = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)  # in English (the API's)
    # the reasons as codes, which pages word in their language (compacts/reasons.py)
    explanation = models.JSONField(default=list, blank=True)
    score_set = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("Digest of the score set behind the mutual-aid signal."),
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["need", "rank"]
        constraints = [models.UniqueConstraint(fields=["need", "offer"], name="one_suggestion")]

    def __str__(self) -> str:
        return gettext("%(offer)s for %(need)s (%(score).2f)") % {
            "offer": self.offer,
            "need": self.need,
            "score": self.score,
        }


class Compact(models.Model):
    """A reciprocal, auditable agreement between two or more organisations. Amendments are new
    rows of the same `lineage` with the next `version`; the old version stays visible."""

    lineage = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    version = models.PositiveSmallIntegerField(default=1)
    amends = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendment"
    )
    title = models.CharField(max_length=200, validators=[single_line])
    summary = models.TextField(blank=True, validators=[plain_text])
    domains = models.JSONField(default=list, blank=True)
    countries = models.ManyToManyField("countries.Country", blank=True, related_name="compacts")
    status = models.CharField(max_length=15, choices=CompactStatus, default=CompactStatus.DRAFT)
    revision = models.PositiveIntegerField(default=1, help_text=_("Bumped by every edit."))
    # safeguards
    data_steward = models.TextField(
        _("Data trust or steward"),
        blank=True,
        help_text=_("Who holds the data, on whose behalf."),
        validators=[plain_text],
    )
    licensing_terms = models.TextField(blank=True, validators=[plain_text])
    data_residency = models.TextField(blank=True, validators=[plain_text])
    misuse_prevention = models.TextField(
        _("Misuse-prevention terms"), blank=True, validators=[plain_text]
    )
    exit_and_redress = models.TextField(
        _("Exit and redress terms"), blank=True, validators=[plain_text]
    )
    reporting_period_days = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(7), MaxValueValidator(730)]
    )
    suggestion_offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggestion_need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    example = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    stale_since = models.DateTimeField(null=True, blank=True)

    objects = CompactQuerySet.as_manager()

    SAFEGUARDS = (
        "data_steward",
        "licensing_terms",
        "data_residency",
        "misuse_prevention",
        "exit_and_redress",
    )

    class Meta:
        ordering = ["-activated_at", "-created_at", "-pk"]
        permissions = [("review_compact", "Can review a compact's safeguards")]
        constraints = [models.UniqueConstraint(fields=["lineage", "version"], name="one_version")]

    def __str__(self) -> str:
        return self.title if self.version == 1 else f"{self.title} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("compacts:compact", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        """Public identifier, stable across versions: C-<lineage>@v<version>."""
        return f"C-{self.lineage or self.pk}@v{self.version}"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class Party(models.Model):
    compact = models.ForeignKey(Compact, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(max_length=20, choices=PartyRole)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["compact", "organisation"], name="one_party")
        ]
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class Resource(models.Model):
    """What one party commits: a kind, a description and, where it counts, an amount."""

    compact = models.ForeignKey(Compact, on_delete=models.CASCADE, related_name="resources")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=10, choices=ResourceKind)
    description = models.CharField(max_length=500, validators=[plain_text])
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(max_length=40, blank=True, validators=[single_line])

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"


class Outcome(models.Model):
    """A measurable public-value outcome: an indicator from a baseline to a target by a date."""

    compact = models.ForeignKey(Compact, on_delete=models.CASCADE, related_name="outcomes")
    indicator = models.CharField(max_length=200, validators=[single_line])
    unit = models.CharField(max_length=40, blank=True, validators=[single_line])
    baseline = models.DecimalField(max_digits=16, decimal_places=4)
    target = models.DecimalField(max_digits=16, decimal_places=4)
    due = models.DateField()

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return gettext("%(indicator)s: %(change)s by %(due)s") % {
            "indicator": self.indicator,
            "change": change(self.baseline, self.target, self.unit),
            "due": self.due,
        }

    def clean(self) -> None:
        if self.baseline is not None and self.baseline == self.target:
            raise ValidationError({"target": gettext("The target must differ from the baseline.")})


class Milestone(models.Model):
    compact = models.ForeignKey(Compact, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200, validators=[single_line])
    due = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title


class Signature(models.Model):
    """A party owner's signature of one revision; it counts only while that revision is current.
    Kept after it is voided, so the history shows who signed what."""

    compact = models.ForeignKey(Compact, on_delete=models.CASCADE, related_name="signatures")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="signatures")
    revision = models.PositiveIntegerField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["party", "revision"], name="one_signature_per_revision")
        ]

    def __str__(self) -> str:
        return gettext("%(party)s signed revision %(revision)s") % {
            "party": self.party,
            "revision": self.revision,
        }


class Transition(models.Model):
    """Who moved a compact from one state to another, when and why (append-only history)."""

    compact = models.ForeignKey(Compact, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=15, choices=CompactStatus)
    to_status = models.CharField(max_length=15, choices=CompactStatus)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.PROTECT)
    reason = models.TextField(blank=True, validators=[plain_text])
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class ProgressReport(models.Model):
    """A report against the outcomes: self-reported until every party has confirmed it."""

    compact = models.ForeignKey(Compact, on_delete=models.PROTECT, related_name="reports")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="reports")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    period_end = models.DateField()
    summary = models.TextField(validators=[plain_text])
    filed_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "-pk"]

    def __str__(self) -> str:
        return gettext("Report to %(period_end)s on %(compact)s") % {
            "period_end": self.period_end,
            "compact": self.compact,
        }

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class ProgressValue(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(max_digits=16, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "outcome"], name="one_value_per_outcome")
        ]

    def __str__(self) -> str:
        return f"{self.outcome.indicator}: {amount(self.value, self.outcome.unit)}"


class Confirmation(models.Model):
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="confirmations"
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "party"], name="one_confirmation_per_party")
        ]

    def __str__(self) -> str:
        return gettext("%(party)s confirmed %(report)s") % {
            "party": self.party,
            "report": self.report,
        }


# the alliance's own models live beside the organisations they concern
from compacts.alliance.models import (  # noqa: E402, F401
    AllianceMembership,
    Cluster,
    ClusterMember,
    Endorsement,
    OversightRole,
    Principles,
)
from compacts.consultation.models import (  # noqa: E402, F401
    MethodologyProposal,
    ProposalComment,
    ProposalSupport,
)
