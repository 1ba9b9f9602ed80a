"""Chainable reads for the countries app."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Coalesce

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


class MethodologyQuerySet(models.QuerySet):
    def headline(self):
        return self.filter(is_headline=True).first()

    def with_published_versions(self) -> MethodologyQuerySet:
        return self.filter(versions__status=ReleaseStatus.PUBLISHED).distinct()


class MethodologyVersionQuerySet(models.QuerySet):
    def published(self) -> MethodologyVersionQuerySet:
        return self.filter(status=ReleaseStatus.PUBLISHED)

    def current(self):
        """The latest published version (of one methodology, when filtered to it)."""
        return self.published().order_by("-published_at", "-pk").first()


class ScoreSetQuerySet(models.QuerySet):
    def for_methodology(self, slug: str) -> ScoreSetQuerySet:
        return self.filter(methodology_version__methodology__slug=slug)

    def as_of(self, moment: datetime) -> ScoreSetQuerySet:
        """Score sets that existed at `moment` (published at or before it), ordered by when
        they were last made current up to that moment."""
        return self.filter(created_at__lte=moment)._with_current_since(moment)

    def _with_current_since(self, moment: datetime | None = None) -> ScoreSetQuerySet:
        # when the set last became current: its creation, or its latest recurrence (up to
        # `moment`); a subquery, so the ordering needs no GROUP BY
        from countries.models import ScoreSetRecurrence

        recurrences = ScoreSetRecurrence.objects.filter(score_set=models.OuterRef("pk"))
        if moment is not None:
            recurrences = recurrences.filter(at__lte=moment)
        latest = recurrences.order_by("-at").values("at")[:1]
        return self.annotate(
            current_since=Coalesce(models.Subquery(latest), models.F("created_at"))
        )

    def latest_first(self) -> ScoreSetQuerySet:
        """Newest release first, then the set made current last (by its computation or by a
        recurrence): the first is the current one.

        Scoring an older release again later never makes its set current, and a back-cast is
        never current at all: it only reads the past with today's method.
        """
        qs = self if "current_since" in self.query.annotations else self._with_current_since()
        return qs.filter(backcast=False).order_by("-release__published_at", "-current_since", "-pk")

    def current(self):
        """The score set that supersedes all others here."""
        return self.latest_first().first()

    def current_per_methodology(self) -> dict:
        """{methodology id: its current score set}, in two queries whatever the history."""
        from countries.models import Methodology

        newest = (
            self.filter(methodology_version__methodology=models.OuterRef("pk"))
            .latest_first()
            .values("pk")[:1]
        )
        ids = (
            Methodology.objects.annotate(current=models.Subquery(newest))
            .exclude(current=None)
            .values_list("current", flat=True)
        )
        return {
            s.methodology_version.methodology_id: s
            for s in self.filter(pk__in=list(ids)).with_related().defer("inputs", "outputs_json")
        }

    def with_related(self) -> ScoreSetQuerySet:
        return self.select_related("methodology_version__methodology", "release")


class ScoreQuerySet(models.QuerySet):
    def with_country(self) -> ScoreQuerySet:
        return self.select_related("country")

    def ranked(self) -> ScoreQuerySet:
        """Ranked countries first (by rank), then the unscored by name."""
        return self.order_by(models.F("rank").asc(nulls_last=True), "country__name")
