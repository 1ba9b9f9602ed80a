"""Countries, indicators and the observations that feed the index.

Observations only exist inside a DataRelease. Once published, a release and its observations
are frozen: database triggers (migration 0003) reject every change, and corrections are made
by publishing a new release.
"""

import hashlib
import json
import zlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from countries.choices import (
    Classification,
    Dimension,
    Direction,
    ImportLayout,
    ImportStatus,
    IncomeGroup,
    Region,
    ReleaseAction,
    ReleaseStatus,
    Subregion,
)
from countries.querysets import (
    CountryQuerySet,
    DataReleaseQuerySet,
    MethodologyQuerySet,
    MethodologyVersionQuerySet,
    ObservationQuerySet,
    ScoreQuerySet,
    ScoreSetQuerySet,
)

FIRST_YEAR, LAST_YEAR = 1900, 2100


class Country(models.Model):
    """A country or territory of ISO 3166-1, plus Kosovo under its user-assigned code XKX.

    Filled from pycountry (codes, names) and country_converter (UN M49 regions) by a data
    migration; the income group comes from the World Bank classification file in the demo data.
    """

    iso2 = models.CharField("ISO alpha-2", max_length=2, unique=True)
    iso3 = models.CharField("ISO alpha-3", max_length=3, unique=True)
    numeric = models.CharField(
        "ISO numeric", max_length=3, blank=True, help_text="Blank when ISO assigns none (Kosovo)."
    )
    name = models.CharField(max_length=100, help_text="The short name readers know it by.")
    official_name = models.CharField(
        max_length=200, blank=True, help_text="The formal name ISO 3166-1 gives."
    )
    iso_assigned = models.BooleanField(
        default=True, help_text="False for codes outside ISO 3166-1 (XKX, used by the World Bank)."
    )
    region = models.CharField("UN M49 region", max_length=40, choices=Region, blank=True)
    subregion = models.CharField("UN M49 sub-region", max_length=40, choices=Subregion, blank=True)
    intermediate_region = models.CharField(
        "UN M49 intermediate region",
        max_length=40,
        blank=True,
        help_text="e.g. Eastern Africa; blank where M49 has none.",
    )
    income_group = models.CharField(
        "World Bank income group", max_length=20, choices=IncomeGroup, blank=True
    )
    income_group_year = models.CharField(max_length=10, blank=True, help_text="e.g. FY2026")
    income_group_source = models.URLField(max_length=500, blank=True)

    history = HistoricalRecords()
    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.UniqueConstraint(
                fields=["numeric"], condition=~Q(numeric=""), name="country_numeric_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.iso3})"

    def get_absolute_url(self) -> str:
        return reverse("countries:detail", kwargs={"iso3": self.iso3})


class Indicator(models.Model):
    """A measured quantity, e.g. `oda_gni`: ODA as % of GNI (solidarity, higher is more).

    `minimum` and `maximum` bound what a value can be (a percentage lies in 0-100, a count is
    at least 0): imports refuse values outside. `max_change` and `log_scale` only make values
    *suspicious*, for a reviewer to look at.
    """

    code = models.SlugField(
        max_length=60, unique=True, help_text="Short stable name used in files, e.g. oda_gni."
    )
    name = models.CharField(max_length=200, help_text="What the indicator measures, in words.")
    dimension = models.CharField(
        max_length=20, choices=Dimension, help_text="The AIMAI dimension it feeds."
    )
    direction = models.CharField(
        max_length=20, choices=Direction, help_text="Whether a higher value means more of it."
    )
    unit = models.CharField(max_length=60, help_text="e.g. “% of GNI”, “persons”.")
    description = models.TextField(help_text="What the figure is and how the source defines it.")
    caveats = models.TextField(blank=True, help_text="What a reader should know before using it.")
    source_organisation = models.CharField(max_length=200, help_text="Who publishes the figures.")
    source_url = models.URLField(max_length=500, help_text="Where the figures are published.")
    licence = models.CharField(max_length=200, help_text="The licence the source gives them.")
    minimum = models.FloatField(
        null=True,
        blank=True,
        help_text="Smallest plausible value (0 for a percentage or a count); blank: no bound.",
    )
    maximum = models.FloatField(
        null=True,
        blank=True,
        help_text="Largest plausible value (100 for a percentage); blank: no bound.",
    )
    log_scale = models.BooleanField(
        default=False,
        help_text="Values span orders of magnitude (counts, money): outliers are judged on "
        "the logarithm.",
    )
    max_change = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="A change from a country's previous value larger than this share is flagged "
        "for review (0.5 = 50%); blank: never flagged.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["dimension", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(minimum__lte=models.F("maximum")),
                name="indicator_minimum_below_maximum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.code}]"


class DataRelease(models.Model):
    """A named, dated set of observations: a draft until published, then frozen for good.

    `content_digest` is the SHA-256 of the release's observations in canonical form
    (countries.digest), fixed at publication so that anyone can check the data is unchanged.
    """

    slug = models.SlugField(
        max_length=80, unique=True, help_text="Its permanent name in addresses and files."
    )
    name = models.CharField(max_length=200, help_text="e.g. “World edition 2026”.")
    description = models.TextField(blank=True, help_text="What the release holds, for readers.")
    release_date = models.DateField(help_text="The date the release speaks for.")
    status = models.CharField(
        max_length=20,
        choices=ReleaseStatus,
        default=ReleaseStatus.DRAFT,
        help_text="Draft (editors change it), in review (a reviewer checks it), published "
        "(frozen for good).",
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The published release this one corrects; its changes are shown publicly.",
    )
    change_note = models.TextField(
        blank=True,
        help_text="What changed and why: required for a correction, public on every page it "
        "touches, and its digest enters the registry.",
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="edited_releases",
        help_text="Everyone who changed its content; none of them may publish it.",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="published_releases",
        help_text="The reviewer who published it (blank: loaded from the shipped files).",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    content_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="SHA-256 of its observations in canonical form, fixed at publication.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = DataReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-release_date", "-pk"]
        permissions = [("publish_datarelease", "Can publish a data release")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ReleaseStatus.PUBLISHED)
                | (Q(published_at__isnull=False) & ~Q(content_digest="")),
                name="published_release_has_date_and_digest",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.status == ReleaseStatus.PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.status == ReleaseStatus.DRAFT


class ReleaseEvent(models.Model):
    """One step in a release's life: who did what, when and why (imports, submission, return,
    publication). Written by the release services only."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=ReleaseAction, help_text="What happened.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Who did it; blank for the shipped-files loader.",
    )
    reason = models.TextField(blank=True, help_text="Why, when a step needs a reason.")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.release.slug}: {self.get_action_display()}"


class ReleaseChange(models.Model):
    """What a published release changed against the release it followed: one value added,
    changed or removed. Computed once, at publication, for the public changelog."""

    class Kind(models.TextChoices):
        ADDED = "added", "Added"
        CHANGED = "changed", "Changed"
        REMOVED = "removed", "Removed"

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="changes")
    country = models.ForeignKey("Country", on_delete=models.PROTECT, related_name="changes")
    indicator = models.ForeignKey("Indicator", on_delete=models.PROTECT, related_name="changes")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind)
    old_value = models.FloatField(null=True)
    new_value = models.FloatField(null=True)

    class Meta:
        ordering = ["indicator__code", "country__name", "year"]
        indexes = [models.Index(fields=["country", "release"])]

    def __str__(self) -> str:
        return f"{self.release.slug}: {self.indicator.code} {self.country.iso3} {self.year}"


class Observation(models.Model):
    """One value of one indicator for one country and year, inside one data release.

    `source_url` is where the value was read; `note` keeps the rest of the citation;
    `provenance` says how it entered the platform (file and row of an import).
    """

    release = models.ForeignKey(DataRelease, on_delete=models.PROTECT, related_name="observations")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="observations")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="observations")
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    value = models.FloatField(help_text="In the indicator's unit.")
    source_url = models.URLField(max_length=500, help_text="Where the value was read.")
    note = models.TextField(blank=True, help_text="The rest of the citation.")
    provenance = models.CharField(
        max_length=300, help_text="How it entered the platform: the file and row of an import."
    )
    flag = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why a reviewer should look at this value (suspicious, not wrong); blank: "
        "nothing to look at.",
    )

    history = HistoricalRecords()
    objects = ObservationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "country", "indicator", "year"],
                name="observation_unique_per_release",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
                name="observation_year_in_range",
            ),
        ]
        indexes = [models.Index(fields=["release", "indicator"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.country.iso3} {self.year}: {self.value}"


class ImportMapping(models.Model):
    """How one source's files read: saved once by an editor, chosen again at each import.

    A wide file (the World Bank's WDI, UNDP, the IMF) has one row per country and one column
    per year; `indicator_codes` maps the source's own series codes to indicator codes.
    """

    name = models.CharField(max_length=100, unique=True, help_text="e.g. “World Bank WDI”.")
    layout = models.CharField(max_length=10, choices=ImportLayout, default=ImportLayout.WIDE)
    country_column = models.CharField(
        max_length=100, help_text="The column naming the country (an ISO3 code or a name)."
    )
    indicator_column = models.CharField(
        max_length=100,
        blank=True,
        help_text="The column naming the series; blank when the file holds one indicator.",
    )
    indicator = models.CharField(
        max_length=60,
        blank=True,
        help_text="The indicator code of every row, when the file holds one indicator.",
    )
    indicator_codes = models.JSONField(
        default=dict,
        blank=True,
        help_text="The source's series codes and the indicator each feeds, e.g. "
        '{"IT.NET.USER.ZS": "internet_users"}.',
    )
    source_column = models.CharField(
        max_length=100, blank=True, help_text="The column citing each row; blank: use Source."
    )
    source = models.CharField(
        max_length=800,
        blank=True,
        help_text="The citation of every row: a URL, optionally followed by a note in brackets.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def as_layout(self) -> dict:
        """The plain mapping the intake reads."""
        return {
            "layout": self.layout,
            "country_column": self.country_column,
            "indicator_column": self.indicator_column,
            "indicator": self.indicator,
            "indicator_codes": self.indicator_codes,
            "source_column": self.source_column,
            "source": self.source,
        }


class DataImport(models.Model):
    """One file brought to a draft release: previewed first, then applied or cancelled.

    The file is kept as uploaded (its SHA-256 names it) so that applying reads exactly what
    was previewed, and the report says what it did, row by row.
    """

    release = models.ForeignKey(
        DataRelease,
        on_delete=models.CASCADE,
        related_name="imports",
        help_text="The draft the file goes into.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Blank for a file loaded from a shell.",
    )
    filename = models.CharField(max_length=255, help_text="The file's name as uploaded.")
    file_digest = models.CharField(max_length=64, help_text="SHA-256 of the file as uploaded.")
    content = models.BinaryField(help_text="The file as uploaded, zlib-compressed.")
    mapping = models.JSONField(default=dict, blank=True, help_text="How the file was read.")
    status = models.CharField(
        max_length=20,
        choices=ImportStatus,
        default=ImportStatus.PREVIEWED,
        help_text="Previewed files wait for an editor to apply or cancel them.",
    )
    report = models.JSONField(default=dict, help_text="The row-numbered report.")
    added = models.PositiveIntegerField(default=0, help_text="Values the file adds.")
    changed = models.PositiveIntegerField(default=0, help_text="Values the file changes.")
    unchanged = models.PositiveIntegerField(default=0, help_text="Values already as in the file.")
    errors = models.PositiveIntegerField(default=0, help_text="Problems found in its rows.")
    flagged = models.PositiveIntegerField(default=0, help_text="Values flagged for the reviewer.")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(
        null=True, blank=True, help_text="When its values were written into the release."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} → {self.release.slug} ({self.get_status_display()})"

    def file_content(self) -> bytes:
        """The file exactly as uploaded, checked against its digest."""
        content = zlib.decompress(bytes(self.content))
        if hashlib.sha256(content).hexdigest() != self.file_digest:
            raise ValueError(f"import #{self.pk}: the stored file no longer matches its digest")
        return content


class Methodology(models.Model):
    """A named methodology (e.g. "aimai-default"), whose versions hold the definitions.

    Exactly one methodology is the headline: the one the public sees first. Editors choose it;
    every published methodology is shown side by side with it.
    """

    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_headline = models.BooleanField(
        "headline", default=False, help_text="The methodology the public sees first."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = MethodologyQuerySet.as_manager()

    class Meta:
        ordering = ["-is_headline", "slug"]
        verbose_name_plural = "methodologies"
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
    source = models.TextField(help_text="The methodology file (YAML or JSON) as written.")
    definition = models.JSONField(editable=False, help_text="The file read into plain data.")
    digest = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the definition.")
    changes = models.TextField(blank=True, help_text="What changed since the previous version.")
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
        help_text="What rebuilds the inputs with the frozen release: the methodology, the "
        "countries and regions, the imported indicators used and the computed rows."
    )
    outputs_json = models.TextField(
        help_text="Every country's scores: the canonical JSON bytes the outputs digest covers."
    )
    created_at = models.DateTimeField(db_index=True)

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
    rank_low = models.PositiveSmallIntegerField(null=True, help_text="5th percentile rank")
    rank_median = models.PositiveSmallIntegerField(null=True)
    rank_high = models.PositiveSmallIntegerField(null=True, help_text="95th percentile rank")
    classification = models.CharField(max_length=20, choices=Classification)
    concentrated = models.BooleanField(help_text="Among the top N by capability.")
    coverage = models.FloatField(help_text="Share of the methodology's indicators observed.")
    observed_weight = models.FloatField(help_text="Share of the index weight observed.")
    median_age = models.FloatField(null=True, help_text="Median age of the data in years.")
    confidence = models.CharField(max_length=1)
    imputed = models.JSONField(default=list)
    provenance = models.JSONField(default=dict)
    values = models.JSONField(default=dict, help_text="Indicator values as observed and used.")
    normalised = models.JSONField(default=dict, help_text="Indicator values on the 0-100 scale.")
    contributions = models.JSONField(default=dict)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["rank", "country__name"]
        constraints = [
            models.UniqueConstraint(fields=["score_set", "country"], name="score_unique_per_set"),
        ]

    def __str__(self) -> str:
        return f"{self.country.iso3}: {self.aimai}"
