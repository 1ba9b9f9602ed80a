"""Filters shared by the country pages and the API."""

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from aimai_site.filters import FilterSet
from countries.choices import Classification, IncomeGroup, Region, Subregion
from countries.models import Country, DataRelease, MethodologyVersion, Score, ScoreSet

YES_NO = [("true", _("Yes")), ("false", _("No"))]


class CountryFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    region = django_filters.ChoiceFilter(
        choices=Region.choices, empty_label=_("All regions"), label=_("Region")
    )
    subregion = django_filters.ChoiceFilter(
        choices=Subregion.choices, empty_label=_("All sub-regions"), label=_("Sub-region")
    )
    income_group = django_filters.ChoiceFilter(
        choices=IncomeGroup.choices, empty_label=_("All income groups"), label=_("Income group")
    )
    # A strict choice, so that ?has_data=maybe is an error instead of being ignored.
    has_data = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_has_data", empty_label=_("Any"), label=_("Has data")
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
    methodology = django_filters.CharFilter(field_name="methodology__slug", label=_("Methodology"))

    class Meta:
        model = MethodologyVersion
        fields = ["methodology"]


class ScoreSetFilterSet(FilterSet):
    methodology = django_filters.CharFilter(
        field_name="methodology_version__methodology__slug", label=_("Methodology")
    )
    release = django_filters.CharFilter(field_name="release__slug", label=_("Data release"))

    class Meta:
        model = ScoreSet
        fields = ["methodology", "release"]


class ScoreFilterSet(FilterSet):
    """Filters on the rows of one score set (which one is chosen by the view)."""

    classification = django_filters.ChoiceFilter(
        choices=Classification.choices, empty_label=_("All classes"), label=_("Classification")
    )
    region = django_filters.ChoiceFilter(
        field_name="country__region",
        choices=Region.choices,
        empty_label=_("All regions"),
        label=_("Region"),
    )
    income_group = django_filters.ChoiceFilter(
        field_name="country__income_group",
        choices=IncomeGroup.choices,
        empty_label=_("All income groups"),
        label=_("Income group"),
    )
    confidence = django_filters.ChoiceFilter(
        choices=[(g, g) for g in "ABCD"], empty_label=_("Any"), label=_("Data confidence")
    )
    concentrated = django_filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_concentrated",
        empty_label=_("Any"),
        label=_("Top by capability"),
    )

    class Meta:
        model = Score
        fields = ["classification", "region", "income_group", "confidence", "concentrated"]

    def filter_concentrated(self, queryset, name: str, value: str):
        return queryset.filter(concentrated=value == "true")


ISO3 = re.compile(r"[A-Z]{3}")
MAX_COUNTRIES = 300  # more than there are: a bound on the work one address asks for


class CountryCodesWidget(forms.TextInput):
    """Codes given comma-separated, repeated (`?country=KEN&country=UGA`), or both."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return ",".join(value for value in values if value) or None


class CountryCodesField(forms.CharField):
    """ISO 3166-1 alpha-3 codes of countries the platform knows, in either case."""

    widget = CountryCodesWidget

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        codes = list(dict.fromkeys(c.strip().upper() for c in text.split(",") if c.strip()))
        malformed = [c for c in codes if not ISO3.fullmatch(c)]
        if malformed:
            raise forms.ValidationError(
                gettext(
                    "“{code}” is not a country code; give ISO 3166-1 alpha-3 codes such as KEN, "
                    "comma-separated or repeated."
                ).format(code=malformed[0])
            )
        if len(codes) > MAX_COUNTRIES:
            raise forms.ValidationError(
                ngettext(
                    "At most {count} country at once.",
                    "At most {count} countries at once.",
                    MAX_COUNTRIES,
                ).format(count=MAX_COUNTRIES)
            )
        return codes

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        if value:
            known = set(Country.objects.filter(iso3__in=value).values_list("iso3", flat=True))
            unknown = [code for code in value if code not in known]
            if unknown:
                said = ngettext(
                    # English says “code” whatever the count
                    "No country with code {codes}.",
                    "No country with code {codes}.",
                    len(unknown),
                )
                raise forms.ValidationError(said.format(codes=", ".join(unknown)))


@extend_schema_field(OpenApiTypes.STR)
class CountryCodesFilter(django_filters.Filter):
    field_class = CountryCodesField

    def filter(self, qs, value):
        return qs.filter(country__iso3__in=value) if value else qs


class ScoreListFilterSet(ScoreFilterSet):
    """The API's filters on a score set's rows: the page's, and countries by code."""

    country = CountryCodesFilter(
        label=_("Countries (ISO3 codes, comma-separated or repeated: KEN,UGA)")
    )

    class Meta(ScoreFilterSet.Meta):
        fields = [*ScoreFilterSet.Meta.fields, "country"]
