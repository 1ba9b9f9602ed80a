"""Public country pages: thin views over selectors and the shared FilterSet."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from countries.filtersets import CountryFilterSet
from countries.models import DataRelease
from countries.selectors import country_list, country_profile_get


def country_list_view(request: HttpRequest) -> HttpResponse:
    release = DataRelease.objects.current()
    filterset = CountryFilterSet(
        request.GET, queryset=country_list(release=release), release=release
    )
    valid = filterset.is_valid()
    countries = list(filterset.qs) if valid else []
    context = {
        "filter": filterset,
        "countries": countries,
        "release": release,
        "with_data": sum(1 for c in countries if c.observation_count),
    }
    return render(request, "countries/country_list.html", context, status=200 if valid else 400)


def country_detail_view(request: HttpRequest, iso3: str) -> HttpResponse:
    if iso3 != iso3.upper():
        return redirect("countries:detail", iso3=iso3.upper(), permanent=True)
    profile = country_profile_get(iso3=iso3)
    return render(request, "countries/country_detail.html", {"profile": profile})
