"""Filters shared by the country pages and the API."""

import django_filters
from django.db.models import Q

from countries.choices import IncomeGroup, Region, Subregion
from countries.models import Country, DataRelease

YES_NO = [("true", "Yes"), ("false", "No")]


class CountryFilterSet(django_filters.FilterSet):
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
