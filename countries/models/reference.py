"""Countries and indicators: what observations are about."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aimai_site.validators import single_line
from countries.choices import (
    Dimension,
    Direction,
    IncomeGroup,
    Region,
    Subregion,
)
from countries.names import country_name, official_name, region_name
from countries.querysets import (
    CountryQuerySet,
)

FIRST_YEAR, LAST_YEAR = 1900, 2100


class Country(models.Model):
    """A country or territory of ISO 3166-1, plus Kosovo under its user-assigned code XKX.

    Filled from pycountry (codes, names) and country_converter (UN M49 regions) by a data
    migration; the income group comes from the World Bank classification file in the demo data.
    """

    iso2 = models.CharField(_("ISO alpha-2"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO alpha-3"), max_length=3, unique=True)
    numeric = models.CharField(
        _("ISO numeric"),
        max_length=3,
        blank=True,
        help_text=_("Blank when ISO assigns none (Kosovo)."),
    )
    name = models.CharField(
        max_length=100, help_text=_("The short name readers know it by."), validators=[single_line]
    )
    official_name = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The formal name ISO 3166-1 gives."),
        validators=[single_line],
    )
    iso_assigned = models.BooleanField(
        default=True,
        help_text=_("False for codes outside ISO 3166-1 (XKX, used by the World Bank)."),
    )
    region = models.CharField(_("UN M49 region"), max_length=40, choices=Region, blank=True)
    subregion = models.CharField(
        _("UN M49 sub-region"), max_length=40, choices=Subregion, blank=True
    )
    intermediate_region = models.CharField(
        _("UN M49 intermediate region"),
        max_length=40,
        blank=True,
        help_text=_("e.g. Eastern Africa; blank where M49 has none."),
    )
    income_group = models.CharField(
        _("World Bank income group"), max_length=20, choices=IncomeGroup, blank=True
    )
    income_group_year = models.CharField(max_length=10, blank=True, help_text=_("e.g. FY2026"))
    income_group_source = models.URLField(max_length=500, blank=True)

    history = HistoricalRecords()
    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("countries")
        constraints = [
            models.UniqueConstraint(
                fields=["numeric"], condition=~Q(numeric=""), name="country_numeric_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.iso3})"

    def get_absolute_url(self) -> str:
        return reverse("countries:detail", kwargs={"iso3": self.iso3})

    @property
    def local_name(self) -> str:
        """The name in the active language (CLDR's), the stored name in English."""
        return country_name(self.iso2, self.name)

    @property
    def local_official_name(self) -> str:
        return official_name(self.official_name)

    @property
    def intermediate_region_display(self) -> str:
        return region_name(self.intermediate_region) if self.intermediate_region else ""


class Indicator(models.Model):
    """A measured quantity, e.g. `oda_gni`: ODA as % of GNI (solidarity, higher is more).

    `minimum` and `maximum` bound what a value can be (a percentage lies in 0-100, a count is
    at least 0): imports refuse values outside. `max_change` and `log_scale` only make values
    *suspicious*, for a reviewer to look at.
    """

    code = models.SlugField(
        max_length=60, unique=True, help_text=_("Short stable name used in files, e.g. oda_gni.")
    )
    name = models.CharField(
        max_length=200,
        help_text=_("What the indicator measures, in words."),
        validators=[single_line],
    )
    dimension = models.CharField(
        max_length=20, choices=Dimension, help_text=_("The AIMAI dimension it feeds.")
    )
    direction = models.CharField(
        max_length=20, choices=Direction, help_text=_("Whether a higher value means more of it.")
    )
    unit = models.CharField(
        max_length=60,
        # the sign kept out of the words: “% of” reads as a placeholder to translators' tools
        help_text=format_lazy(_("e.g. “{percent} of GNI”, “persons”."), percent="%"),
    )
    description = models.TextField(help_text=_("What the figure is and how the source defines it."))
    caveats = models.TextField(
        blank=True, help_text=_("What a reader should know before using it.")
    )
    source_organisation = models.CharField(
        max_length=200, help_text=_("Who publishes the figures.")
    )
    source_url = models.URLField(max_length=500, help_text=_("Where the figures are published."))
    copy_url = models.URLField(
        max_length=500,
        blank=True,
        help_text=_(
            "Where the figures were read from, when that is a copy of the publisher's own "
            "files (a repository, an export); blank when read from the publisher."
        ),
    )
    licence = models.CharField(max_length=200, help_text=_("The licence the source gives them."))
    minimum = models.FloatField(
        null=True,
        blank=True,
        help_text=_("Smallest plausible value (0 for a percentage or a count); blank: no bound."),
    )
    maximum = models.FloatField(
        null=True,
        blank=True,
        help_text=_("Largest plausible value (100 for a percentage); blank: no bound."),
    )
    log_scale = models.BooleanField(
        default=False,
        help_text=_(
            "Values span orders of magnitude (counts, money): outliers are judged on the logarithm."
        ),
    )
    max_change = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        # xgettext:no-python-format
        help_text=_(
            "A change from a country's previous value larger than this share is flagged "
            "for review (0.5 = 50%); blank: never flagged."
        ),
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
