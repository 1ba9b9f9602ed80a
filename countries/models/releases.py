"""Data releases and the observations that feed the index, with the desk's imports and steps.

Observations only exist inside a DataRelease. Once published, a release and its observations
are frozen: database triggers (migration 0003) reject every change, and corrections are made
by publishing a new release.
"""

import hashlib
import zlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from countries.choices import (
    ImportLayout,
    ImportStatus,
    ReleaseAction,
    ReleaseStatus,
)
from countries.models.reference import FIRST_YEAR, LAST_YEAR, Country, Indicator
from countries.querysets import (
    DataReleaseQuerySet,
    ObservationQuerySet,
)


class DataRelease(models.Model):
    """A named, dated set of observations: a draft until published, then frozen for good.

    `content_digest` is the SHA-256 of the release's observations in canonical form
    (countries.digest), fixed at publication so that anyone can check the data is unchanged.
    """

    slug = models.SlugField(
        max_length=80, unique=True, help_text=_("Its permanent name in addresses and files.")
    )
    name = models.CharField(max_length=200, help_text=_("e.g. “World edition 2026”."))
    description = models.TextField(blank=True, help_text=_("What the release holds, for readers."))
    release_date = models.DateField(help_text=_("The date the release speaks for."))
    status = models.CharField(
        max_length=20,
        choices=ReleaseStatus,
        default=ReleaseStatus.DRAFT,
        help_text=_(
            "Draft (editors change it), in review (a reviewer checks it), published "
            "(frozen for good)."
        ),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text=_("The published release this one corrects; its changes are shown publicly."),
    )
    change_note = models.TextField(
        blank=True,
        help_text=_(
            "What changed and why: required for a correction, public on every page it "
            "touches, and its digest enters the registry."
        ),
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="edited_releases",
        help_text=_("Everyone who changed its content; none of them may publish it."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="published_releases",
        help_text=_("The reviewer who published it (blank: loaded from the shipped files)."),
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    content_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("SHA-256 of its observations in canonical form, fixed at publication."),
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
    action = models.CharField(max_length=20, choices=ReleaseAction, help_text=_("What happened."))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Who did it; blank for the shipped-files loader."),
    )
    reason = models.TextField(blank=True, help_text=_("Why, when a step needs a reason."))
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.release.slug}: {self.get_action_display()}"


class ReleaseChange(models.Model):
    """What a published release changed against the release it followed: one value added,
    changed or removed. Computed once, at publication, for the public changelog."""

    class Kind(models.TextChoices):
        ADDED = "added", pgettext_lazy("change to a value", "Added")
        CHANGED = "changed", pgettext_lazy("change to a value", "Changed")
        REMOVED = "removed", pgettext_lazy("change to a value", "Removed")

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
    value = models.FloatField(help_text=_("In the indicator's unit."))
    source_url = models.URLField(max_length=500, help_text=_("Where the value was read."))
    note = models.TextField(blank=True, help_text=_("The rest of the citation."))
    provenance = models.CharField(
        max_length=300, help_text=_("How it entered the platform: the file and row of an import.")
    )
    flag = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "Why a reviewer should look at this value (suspicious, not wrong); blank: "
            "nothing to look at."
        ),
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

    name = models.CharField(max_length=100, unique=True, help_text=_("e.g. “World Bank WDI”."))
    layout = models.CharField(max_length=10, choices=ImportLayout, default=ImportLayout.WIDE)
    country_column = models.CharField(
        max_length=100, help_text=_("The column naming the country (an ISO3 code or a name).")
    )
    indicator_column = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("The column naming the series; blank when the file holds one indicator."),
    )
    indicator = models.CharField(
        max_length=60,
        blank=True,
        help_text=_("The indicator code of every row, when the file holds one indicator."),
    )
    indicator_codes = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "The source's series codes and the indicator each feeds, e.g. "
            '{"IT.NET.USER.ZS": "internet_users"}.'
        ),
    )
    source_column = models.CharField(
        max_length=100, blank=True, help_text=_("The column citing each row; blank: use Source.")
    )
    source = models.CharField(
        max_length=800,
        blank=True,
        help_text=_("The citation of every row: a URL, optionally followed by a note in brackets."),
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
        help_text=_("The draft the file goes into."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Blank for a file loaded from a shell."),
    )
    filename = models.CharField(max_length=255, help_text=_("The file's name as uploaded."))
    file_digest = models.CharField(max_length=64, help_text=_("SHA-256 of the file as uploaded."))
    content = models.BinaryField(help_text=_("The file as uploaded, zlib-compressed."))
    mapping = models.JSONField(default=dict, blank=True, help_text=_("How the file was read."))
    status = models.CharField(
        max_length=20,
        choices=ImportStatus,
        default=ImportStatus.PREVIEWED,
        help_text=_("Previewed files wait for an editor to apply or cancel them."),
    )
    report = models.JSONField(default=dict, help_text=_("The row-numbered report."))
    added = models.PositiveIntegerField(default=0, help_text=_("Values the file adds."))
    changed = models.PositiveIntegerField(default=0, help_text=_("Values the file changes."))
    unchanged = models.PositiveIntegerField(
        default=0, help_text=_("Values already as in the file.")
    )
    errors = models.PositiveIntegerField(default=0, help_text=_("Problems found in its rows."))
    flagged = models.PositiveIntegerField(
        default=0, help_text=_("Values flagged for the reviewer.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When its values were written into the release.")
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
