"""Fixed vocabularies of the countries app."""

from django.db import models


class Dimension(models.TextChoices):
    CAPABILITY = "capability", "Capability"
    SOLIDARITY = "solidarity", "Solidarity"
    BURDEN = "burden", "Burden"
    # Not scored: denominators and other helpers (population) that indicators are divided by.
    CONTEXT = "context", "Context"


class Direction(models.TextChoices):
    HIGHER_IS_MORE = "higher_is_more", "Higher value means more of the dimension"
    HIGHER_IS_LESS = "higher_is_less", "Higher value means less of the dimension"
    NEUTRAL = "neutral", "No direction (context only)"


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class ReleaseAction(models.TextChoices):
    """What happened to a data release, in its history."""

    CREATED = "created", "Created"
    IMPORTED = "imported", "File imported"
    EDITED = "edited", "Edited"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned to draft"
    PUBLISHED = "published", "Published"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Previewed (nothing written yet)"
    APPLIED = "applied", "Applied"
    CANCELLED = "cancelled", "Cancelled"


class ImportLayout(models.TextChoices):
    LONG = "long", "Long: one row per country, indicator and year"
    WIDE = "wide", "Wide: one row per country, one column per year"


class IncomeGroup(models.TextChoices):
    """World Bank income classification; blank on a country means no classification known."""

    LOW = "low", "Low income"
    LOWER_MIDDLE = "lower_middle", "Lower middle income"
    UPPER_MIDDLE = "upper_middle", "Upper middle income"
    HIGH = "high", "High income"
    NOT_CLASSIFIED = "not_classified", "Not classified"


class Region(models.TextChoices):
    """UN M49 regions (Antarctica belongs to none)."""

    AFRICA = "Africa", "Africa"
    AMERICAS = "Americas", "Americas"
    ASIA = "Asia", "Asia"
    EUROPE = "Europe", "Europe"
    OCEANIA = "Oceania", "Oceania"


class Subregion(models.TextChoices):
    """UN M49 sub-regions."""

    NORTHERN_AFRICA = "Northern Africa", "Northern Africa"
    SUB_SAHARAN_AFRICA = "Sub-Saharan Africa", "Sub-Saharan Africa"
    LATIN_AMERICA_CARIBBEAN = "Latin America and the Caribbean", "Latin America and the Caribbean"
    NORTHERN_AMERICA = "Northern America", "Northern America"
    CENTRAL_ASIA = "Central Asia", "Central Asia"
    EASTERN_ASIA = "Eastern Asia", "Eastern Asia"
    SOUTH_EASTERN_ASIA = "South-eastern Asia", "South-eastern Asia"
    SOUTHERN_ASIA = "Southern Asia", "Southern Asia"
    WESTERN_ASIA = "Western Asia", "Western Asia"
    EASTERN_EUROPE = "Eastern Europe", "Eastern Europe"
    NORTHERN_EUROPE = "Northern Europe", "Northern Europe"
    SOUTHERN_EUROPE = "Southern Europe", "Southern Europe"
    WESTERN_EUROPE = "Western Europe", "Western Europe"
    AUSTRALIA_NEW_ZEALAND = "Australia and New Zealand", "Australia and New Zealand"
    MELANESIA = "Melanesia", "Melanesia"
    MICRONESIA = "Micronesia", "Micronesia"
    POLYNESIA = "Polynesia", "Polynesia"


class Classification(models.TextChoices):
    BRIDGER = "bridger", "Bridger"
    NEUTRAL = "neutral", "Neutral"
    DIVIDER = "divider", "Divider"
    # methodologies that name a low AIMAI by its cause (index.low_by_cause)
    CONCENTRATION = "concentration", "Divider — concentration"
    BURDENED = "burdened", "Burdened co-creator"
    INSUFFICIENT_DATA = "insufficient_data", "Insufficient data"
