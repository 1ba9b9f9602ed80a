"""Countries, indicators and the observations that feed the index.

Observations only exist inside a DataRelease. Once published, a release and its observations
are frozen: database triggers (migration 0003) reject every change, and corrections are made
by publishing a new release.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from countries.choices import Dimension, Direction, IncomeGroup, Region, ReleaseStatus, Subregion
from countries.querysets import CountryQuerySet, DataReleaseQuerySet, ObservationQuerySet

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
    name = models.CharField(max_length=100)
    official_name = models.CharField(max_length=200, blank=True)
    iso_assigned = models.BooleanField(
        default=True, help_text="False for codes outside ISO 3166-1 (XKX, used by the World Bank)."
    )
    region = models.CharField("UN M49 region", max_length=40, choices=Region, blank=True)
    subregion = models.CharField("UN M49 sub-region", max_length=40, choices=Subregion, blank=True)
    intermediate_region = models.CharField("UN M49 intermediate region", max_length=40, blank=True)
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
    """A measured quantity, e.g. `oda_gni`: ODA as % of GNI (solidarity, higher is more)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    dimension = models.CharField(max_length=20, choices=Dimension)
    direction = models.CharField(max_length=20, choices=Direction)
    unit = models.CharField(max_length=60)
    description = models.TextField()
    caveats = models.TextField(blank=True)
    source_organisation = models.CharField(max_length=200)
    source_url = models.URLField(max_length=500)
    licence = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["dimension", "code"]

    def __str__(self) -> str:
        return f"{self.name} [{self.code}]"


class DataRelease(models.Model):
    """A named, dated set of observations: a draft until published, then frozen for good.

    `content_digest` is the SHA-256 of the release's observations in canonical form
    (countries.digest), fixed at publication so that anyone can check the data is unchanged.
    """

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    release_date = models.DateField()
    status = models.CharField(max_length=20, choices=ReleaseStatus, default=ReleaseStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    content_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = DataReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-release_date", "-pk"]
        permissions = [("publish_datarelease", "Can publish a data release")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ReleaseStatus.DRAFT)
                | (Q(published_at__isnull=False) & ~Q(content_digest="")),
                name="published_release_has_date_and_digest",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.status == ReleaseStatus.PUBLISHED


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
    value = models.FloatField()
    source_url = models.URLField(max_length=500)
    note = models.TextField(blank=True)
    provenance = models.CharField(max_length=300)

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
