from django.db.models import Count, Prefetch
from rest_framework import viewsets

from countries.api.serializers import (
    CountryDetailSerializer,
    CountrySerializer,
    DataReleaseSerializer,
    IndicatorSerializer,
)
from countries.filtersets import CountryFilterSet
from countries.models import Country, DataRelease, Indicator, Observation


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    """Countries; the detail carries every observation of the current release with its source."""

    lookup_field = "iso3"
    lookup_value_regex = "[A-Za-z]{3}"
    filterset_class = CountryFilterSet
    ordering_fields = ["name", "iso3", "observation_count"]
    ordering = ["name"]

    def get_serializer_class(self):
        return CountryDetailSerializer if self.action == "retrieve" else CountrySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return Country.objects.none()
        self.release = DataRelease.objects.current()
        queryset = Country.objects.with_observation_count(self.release)
        if self.action == "retrieve":
            observations = (
                Observation.objects.for_release(self.release)
                .select_related("indicator")
                .order_by("indicator__dimension", "indicator__code", "-year")
            )
            queryset = queryset.prefetch_related(
                Prefetch("observations", queryset=observations, to_attr="current_observations")
            )
        return queryset

    def get_object(self):
        self.kwargs["iso3"] = self.kwargs["iso3"].upper()
        return super().get_object()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "release": getattr(self, "release", None)}


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicators with their meaning, unit, direction, source and licence."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_fields = ["dimension", "direction"]
    ordering_fields = ["code", "dimension"]
    ordering = ["dimension", "code"]


class DataReleaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Published data releases and their content digests."""

    serializer_class = DataReleaseSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    ordering_fields = ["release_date", "published_at"]
    ordering = ["-published_at"]

    def get_queryset(self):
        return DataRelease.objects.published().annotate(observation_count=Count("observations"))
