"""Reads shaped for pages and the API."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from countries.choices import Dimension
from countries.models import Country, DataRelease, Observation


@dataclass(frozen=True)
class CountryProfile:
    country: Country
    release: DataRelease | None
    observations: list[Observation]

    def by_dimension(self) -> list[tuple[str, list[Observation]]]:
        """Observations grouped by dimension: capability, solidarity, burden, context."""
        groups = []
        for value, label in Dimension.choices:
            rows = [o for o in self.observations if o.indicator.dimension == value]
            if rows:
                groups.append((label, rows))
        return groups


def country_list(*, release: DataRelease | None) -> QuerySet[Country]:
    return Country.objects.with_observation_count(release).order_by("name")


def country_profile_get(*, iso3: str) -> CountryProfile:
    """The country and its observations in the current release; 404 for an unknown code."""
    country = get_object_or_404(Country, iso3=iso3)
    release = DataRelease.objects.current()
    observations = list(
        Observation.objects.for_release(release)
        .filter(country=country)
        .select_related("indicator")
        .order_by("indicator__dimension", "indicator__name", "-year")
    )
    return CountryProfile(country=country, release=release, observations=observations)
