"""Methodologies, their versions, and the score sets and scores they give."""

import json

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aimai_site.validators import plain_text, single_line
from countries.choices import (
    Classification,
    ReleaseStatus,
)
from countries.models.reference import Country
from countries.models.releases import DataRelease
from countries.querysets import (
    MethodologyQuerySet,
    MethodologyVersionQuerySet,
    ScoreQuerySet,
    ScoreSetQuerySet,
)


class Methodology(models.Model):
    """A named methodology (e.g. "aimai-default"), whose versions hold the definitions.

    Exactly one methodology is the headline: the one the public sees first. Editors choose it;
    every published methodology is shown side by side with it.
    """

    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200, validators=[single_line])
    description = models.TextField(blank=True, validators=[plain_text])
    is_headline = models.BooleanField(
        _("headline"), default=False, help_text=_("The methodology the public sees first.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = MethodologyQuerySet.as_manager()

    class Meta:
        ordering = ["-is_headline", "slug"]
        verbose_name_plural = _("methodologies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_headline"], condition=Q(is_headline=True), name="one_headline"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MethodologyVersion(models.Model):
    """One version of a methodology: the file as written, its parsed definition and digest.

    Published versions are immutable: database triggers (migration 0007) reject every change.
    """

    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=20)
    source = models.TextField(help_text=_("The methodology file (YAML or JSON) as written."))
    definition = models.JSONField(editable=False, help_text=_("The file read into plain data."))
    digest = models.CharField(
        max_length=64, editable=False, help_text=_("SHA-256 of the definition.")
    )
    changes = models.TextField(blank=True, help_text=_("What changed since the previous version."))
    status = models.CharField(
        max_length=10, choices=ReleaseStatus, default=ReleaseStatus.DRAFT, editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = MethodologyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["methodology__slug", "-created_at", "-pk"]
        permissions = [("publish_methodologyversion", "Can publish a methodology version")]
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "version"], name="methodology_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(status=ReleaseStatus.DRAFT) | Q(published_at__isnull=False),
                name="published_methodology_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.methodology.slug} {self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == ReleaseStatus.PUBLISHED


class ScoreSet(models.Model):
    """The result of one methodology version on one published data release. Never changed.

    `digest` names it publicly: SHA-256 over the digests of its inputs (the exact observations
    used and the methodology definition) and of its outputs. A newer score set of the same
    methodology supersedes it; the newest is current, so "current" needs no update.
    """

    methodology_version = models.ForeignKey(
        MethodologyVersion, on_delete=models.PROTECT, related_name="score_sets"
    )
    release = models.ForeignKey(DataRelease, on_delete=models.PROTECT, related_name="score_sets")
    digest = models.CharField(max_length=64, unique=True)
    inputs_digest = models.CharField(max_length=64, unique=True)
    outputs_digest = models.CharField(max_length=64)
    reference_year = models.PositiveSmallIntegerField()
    code_version = models.CharField(max_length=40)
    inputs = models.JSONField(
        help_text=_(
            "What rebuilds the inputs with the frozen release: the methodology, the "
            "countries and regions, the imported indicators used and the computed rows."
        )
    )
    outputs_json = models.TextField(
        help_text=_("Every country's scores: the canonical JSON bytes the outputs digest covers.")
    )
    created_at = models.DateTimeField(db_index=True)
    backcast = models.BooleanField(
        _("back-cast"),
        default=False,
        help_text=_(
            "The headline methodology applied to an earlier data release, to show change "
            "over time with one method; never the current score set."
        ),
    )

    objects = ScoreSetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.methodology_version} on {self.release.slug} ({self.digest[:12]})"

    @property
    def outputs(self) -> dict:
        return json.loads(self.outputs_json)


class ScoreSetRecurrence(models.Model):
    """A score set made current again: its inputs came back (the only active compact ended,
    say), so the existing set is current from `at`, without scoring the same inputs twice."""

    score_set = models.ForeignKey(ScoreSet, on_delete=models.PROTECT, related_name="recurrences")
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.score_set} current again at {self.at:%Y-%m-%d %H:%M}"


class Score(models.Model):
    """One country's scores in a score set, with provenance, confidence and contributions."""

    score_set = models.ForeignKey(ScoreSet, on_delete=models.PROTECT, related_name="scores")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="scores")
    capability = models.FloatField(null=True)
    solidarity = models.FloatField(null=True)
    burden = models.FloatField(null=True)
    aimai = models.FloatField(null=True)
    aimai_without_imputation = models.FloatField(null=True)
    rank = models.PositiveSmallIntegerField(null=True)
    rank_low = models.PositiveSmallIntegerField(null=True, help_text=_("5th percentile rank"))
    rank_median = models.PositiveSmallIntegerField(null=True)
    rank_high = models.PositiveSmallIntegerField(null=True, help_text=_("95th percentile rank"))
    classification = models.CharField(max_length=20, choices=Classification)
    concentrated = models.BooleanField(help_text=_("Among the top N by capability."))
    coverage = models.FloatField(help_text=_("Share of the methodology's indicators observed."))
    observed_weight = models.FloatField(help_text=_("Share of the index weight observed."))
    median_age = models.FloatField(null=True, help_text=_("Median age of the data in years."))
    confidence = models.CharField(max_length=1)
    imputed = models.JSONField(default=list)
    provenance = models.JSONField(default=dict)
    values = models.JSONField(default=dict, help_text=_("Indicator values as observed and used."))
    normalised = models.JSONField(default=dict, help_text=_("Indicator values on the 0-100 scale."))
    contributions = models.JSONField(default=dict)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["rank", "country__name"]
        constraints = [
            models.UniqueConstraint(fields=["score_set", "country"], name="score_unique_per_set"),
        ]

    def __str__(self) -> str:
        return f"{self.country.iso3}: {self.aimai}"
