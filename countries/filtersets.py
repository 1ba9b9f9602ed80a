"""Filters shared by the country pages and the API."""

import django_filters
from django.db.models import Q

from aimai_site.filters import FilterSet
from countries.choices import Classification, IncomeGroup, Region, Subregion
from countries.models import Country, DataRelease, MethodologyVersion, Score, ScoreSet

YES_NO = [("true", "Yes"), ("false", "No")]


class CountryFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    region = django_filters.ChoiceFilter(
        choices=Region.choices, empty_label="All regions", label="Region"
    )
    subregion = django_filters.ChoiceFilter(
        choices=Subregion.choices, empty_label="All sub-regions", label="Sub-region"
    )
    income_group = django_filters.ChoiceFilter(
        choices=IncomeGroup.choices, empty_label="All income groups", label="Income group"
    )
    # A strict choice, so that ?has_data=maybe is an error instead of being ignored.
    has_data = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_has_data", empty_label="Any", label="Has data"
    )

    class Meta:
        model = Country
        fields = ["q", "region", "subregion", "income_group", "has_data"]

    def __init__(self, *args, release: DataRelease | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._release = release

    def search(self, queryset, name: str, value: str):
        term = value.strip()
        return queryset.filter(
            Q(name__icontains=term) | Q(official_name__icontains=term) | Q(iso3__iexact=term)
        )

    def filter_has_data(self, queryset, name: str, value: str):
        release = self._release or DataRelease.objects.current()
        return queryset.with_data(release, has_data=value == "true")


class MethodologyVersionFilterSet(FilterSet):
    methodology = django_filters.CharFilter(field_name="methodology__slug", label="Methodology")

    class Meta:
        model = MethodologyVersion
        fields = ["methodology"]


class ScoreSetFilterSet(FilterSet):
    methodology = django_filters.CharFilter(
        field_name="methodology_version__methodology__slug", label="Methodology"
    )
    release = django_filters.CharFilter(field_name="release__slug", label="Data release")

    class Meta:
        model = ScoreSet
        fields = ["methodology", "release"]


class ScoreFilterSet(FilterSet):
    """Filters on the rows of one score set (which one is chosen by the view)."""

    classification = django_filters.ChoiceFilter(
        choices=Classification.choices, empty_label="All classes", label="Classification"
    )
    region = django_filters.ChoiceFilter(
        field_name="country__region",
        choices=Region.choices,
        empty_label="All regions",
        label="Region",
    )
    income_group = django_filters.ChoiceFilter(
        field_name="country__income_group",
        choices=IncomeGroup.choices,
        empty_label="All income groups",
        label="Income group",
    )
    confidence = django_filters.ChoiceFilter(
        choices=[(g, g) for g in "ABCD"], empty_label="Any", label="Data confidence"
    )
    concentrated = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_concentrated", empty_label="Any", label="Top by capability"
    )

    class Meta:
        model = Score
        fields = ["classification", "region", "income_group", "confidence", "concentrated"]

    def filter_concentrated(self, queryset, name: str, value: str):
        return queryset.filter(concentrated=value == "true")
