"""Fixed vocabularies of the countries app."""

from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from countries.names import region_name

# UN M49 areas are named in each language by locale data (CLDR), not by the catalogues
_m49 = lazy(region_name, str)


class Dimension(models.TextChoices):
    CAPABILITY = "capability", _("Capability")
    SOLIDARITY = "solidarity", _("Solidarity")
    BURDEN = "burden", _("Burden")
    # Not scored: denominators and other helpers (population) that indicators are divided by.
    CONTEXT = "context", _("Context")


class Direction(models.TextChoices):
    HIGHER_IS_MORE = "higher_is_more", _("Higher value means more of the dimension")
    HIGHER_IS_LESS = "higher_is_less", _("Higher value means less of the dimension")
    NEUTRAL = "neutral", _("No direction (context only)")


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("publication status", "Draft")
    IN_REVIEW = "in_review", pgettext_lazy("publication status", "In review")
    PUBLISHED = "published", pgettext_lazy("publication status", "Published")


class ReleaseAction(models.TextChoices):
    """What happened to a data release, in its history."""

    CREATED = "created", pgettext_lazy("step in a release's history", "Created")
    IMPORTED = "imported", pgettext_lazy("step in a release's history", "File imported")
    EDITED = "edited", pgettext_lazy("step in a release's history", "Edited")
    SUBMITTED = "submitted", pgettext_lazy("step in a release's history", "Submitted for review")
    RETURNED = "returned", pgettext_lazy("step in a release's history", "Returned to draft")
    PUBLISHED = "published", pgettext_lazy("step in a release's history", "Published")


class ImportStatus(models.TextChoices):
    PREVIEWED = (
        "previewed",
        pgettext_lazy("status of an imported file", "Previewed (nothing written yet)"),
    )
    APPLIED = "applied", pgettext_lazy("status of an imported file", "Applied")
    CANCELLED = "cancelled", pgettext_lazy("status of an imported file", "Cancelled")


class ImportLayout(models.TextChoices):
    LONG = "long", _("Long: one row per country, indicator and year")
    WIDE = "wide", _("Wide: one row per country, one column per year")


class IncomeGroup(models.TextChoices):
    """World Bank income classification; blank on a country means no classification known."""

    LOW = "low", _("Low income")
    LOWER_MIDDLE = "lower_middle", _("Lower middle income")
    UPPER_MIDDLE = "upper_middle", _("Upper middle income")
    HIGH = "high", _("High income")
    NOT_CLASSIFIED = "not_classified", _("Not classified")


class Region(models.TextChoices):
    """UN M49 regions (Antarctica belongs to none)."""

    AFRICA = "Africa", _m49("Africa")
    AMERICAS = "Americas", _m49("Americas")
    ASIA = "Asia", _m49("Asia")
    EUROPE = "Europe", _m49("Europe")
    OCEANIA = "Oceania", _m49("Oceania")


class Subregion(models.TextChoices):
    """UN M49 sub-regions."""

    NORTHERN_AFRICA = "Northern Africa", _m49("Northern Africa")
    SUB_SAHARAN_AFRICA = "Sub-Saharan Africa", _m49("Sub-Saharan Africa")
    LATIN_AMERICA_CARIBBEAN = (
        "Latin America and the Caribbean",
        _m49("Latin America and the Caribbean"),
    )
    NORTHERN_AMERICA = "Northern America", _m49("Northern America")
    CENTRAL_ASIA = "Central Asia", _m49("Central Asia")
    EASTERN_ASIA = "Eastern Asia", _m49("Eastern Asia")
    SOUTH_EASTERN_ASIA = "South-eastern Asia", _m49("South-eastern Asia")
    SOUTHERN_ASIA = "Southern Asia", _m49("Southern Asia")
    WESTERN_ASIA = "Western Asia", _m49("Western Asia")
    EASTERN_EUROPE = "Eastern Europe", _m49("Eastern Europe")
    NORTHERN_EUROPE = "Northern Europe", _m49("Northern Europe")
    SOUTHERN_EUROPE = "Southern Europe", _m49("Southern Europe")
    WESTERN_EUROPE = "Western Europe", _m49("Western Europe")
    AUSTRALIA_NEW_ZEALAND = "Australia and New Zealand", _m49("Australia and New Zealand")
    MELANESIA = "Melanesia", _m49("Melanesia")
    MICRONESIA = "Micronesia", _m49("Micronesia")
    POLYNESIA = "Polynesia", _m49("Polynesia")


class Classification(models.TextChoices):
    BRIDGER = "bridger", _("Bridger")
    NEUTRAL = "neutral", _("Neutral")
    DIVIDER = "divider", _("Divider")
    # methodologies that name a low AIMAI by its cause (index.low_by_cause)
    CONCENTRATION = "concentration", _("Divider — concentration")
    BURDENED = "burdened", _("Burdened co-creator")
    INSUFFICIENT_DATA = "insufficient_data", _("Insufficient data")
