"""Chainable reads for the countries app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, Q

from countries.choices import ReleaseStatus

if TYPE_CHECKING:
    from countries.models import DataRelease


class DataReleaseQuerySet(models.QuerySet):
    def published(self) -> DataReleaseQuerySet:
        return self.filter(status=ReleaseStatus.PUBLISHED)

    def current(self) -> DataRelease | None:
        """The most recently published release: the one public pages show."""
        return self.published().order_by("-published_at", "-pk").first()


class CountryQuerySet(models.QuerySet):
    def with_observation_count(self, release: DataRelease | None) -> CountryQuerySet:
        """Annotate `observation_count`: observations in `release` (0 when there is none)."""
        if release is None:
            return self.annotate(observation_count=models.Value(0, models.IntegerField()))
        return self.annotate(
            observation_count=Count("observations", filter=Q(observations__release_id=release.pk))
        )

    def with_data(self, release: DataRelease | None, *, has_data: bool) -> CountryQuerySet:
        if release is None:  # nothing published yet: no country has data
            return self.none() if has_data else self.all()
        ids = self.model.objects.filter(observations__release_id=release.pk).values("pk")
        return self.filter(pk__in=ids) if has_data else self.exclude(pk__in=ids)


class ObservationQuerySet(models.QuerySet):
    def for_release(self, release: DataRelease | None) -> ObservationQuerySet:
        return self.filter(release=release) if release else self.none()

    def with_related(self) -> ObservationQuerySet:
        return self.select_related("indicator", "country", "release")
