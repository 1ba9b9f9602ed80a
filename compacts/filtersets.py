"""Filters of the compacts API. Countries are ISO3 codes; word lists (domains, languages) are
matched through the querysets, which know how the JSON lists are stored."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aimai_site.filters import FilterSet, IdFilter
from compacts.alliance.models import AllianceMembership
from compacts.choices import (
    CompactStatus,
    Domain,
    OrganisationKind,
    PublicationStatus,
    ResourceKind,
    Way,
)
from compacts.models import Compact, Need, Offer, Organisation, Suggestion
from countries.choices import Region

YES_NO = [("true", _("Yes")), ("false", _("No"))]


class OrganisationFilterSet(FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label=_("Kind"))
    country = django_filters.CharFilter(
        field_name="country__iso3", lookup_expr="iexact", label=_("Country (ISO3)")
    )
    # a strict choice, so that ?verified=maybe is an error instead of being ignored
    verified = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_verified", label=_("Verified by an editor")
    )

    class Meta:
        model = Organisation
        fields = ["kind", "country", "verified"]

    def filter_verified(self, queryset, name: str, value: str):
        return queryset.filter(verified_at__isnull=value != "true")


class ListingFilterSet(FilterSet):
    """What offers and needs share."""

    organisation = django_filters.CharFilter(
        field_name="organisation__slug", label=_("Organisation")
    )
    status = django_filters.ChoiceFilter(choices=PublicationStatus.choices, label=_("Status"))
    domain = django_filters.ChoiceFilter(
        choices=Domain.choices, method="filter_domain", label=_("Domain")
    )
    language = django_filters.CharFilter(method="filter_language", label=_("Language code"))

    def filter_domain(self, queryset, name: str, value: str):
        return queryset.with_domain(value)

    def filter_language(self, queryset, name: str, value: str):
        return queryset.with_language(value.strip())


class OfferFilterSet(ListingFilterSet):
    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices, label=_("Resource kind"))

    class Meta:
        model = Offer
        fields = ["organisation", "status", "domain", "language", "kind"]


class NeedFilterSet(ListingFilterSet):
    country = django_filters.CharFilter(
        field_name="country__iso3", lookup_expr="iexact", label=_("Country (ISO3)")
    )

    class Meta:
        model = Need
        fields = ["organisation", "status", "domain", "language", "country"]


class CompactFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(choices=CompactStatus.choices, label=_("Status"))
    domain = django_filters.ChoiceFilter(
        choices=Domain.choices, method="filter_domain", label=_("Domain")
    )
    country = django_filters.CharFilter(method="filter_country", label=_("Country (ISO3)"))
    resource_kind = django_filters.ChoiceFilter(
        choices=ResourceKind.choices, method="filter_resource_kind", label=_("Resource kind")
    )

    class Meta:
        model = Compact
        fields = ["status", "domain", "country", "resource_kind"]

    def filter_domain(self, queryset, name: str, value: str):
        return queryset.with_domain(value)

    def filter_country(self, queryset, name: str, value: str):
        # several countries per compact: distinct, so a compact is listed once
        return queryset.filter(countries__iso3__iexact=value.strip()).distinct()

    def filter_resource_kind(self, queryset, name: str, value: str):
        return queryset.with_resource_kind(value)


class SuggestionFilterSet(FilterSet):
    # plain ids, so an unknown id finds nothing rather than saying whether it exists
    need = IdFilter(field_name="need_id", label=_("Need id"))
    offer = IdFilter(field_name="offer_id", label=_("Offer id"))

    class Meta:
        model = Suggestion
        fields = ["need", "offer"]


class MemberFilterSet(FilterSet):
    """The member directory's filters, on the page and in the API alike. Rows are the
    alliance memberships of listed members; ways and domains are the membership's."""

    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=100)
    kind = django_filters.ChoiceFilter(
        field_name="organisation__kind",
        choices=OrganisationKind.choices,
        empty_label=_("Any kind"),
        label=_("Kind"),
    )
    country = django_filters.CharFilter(
        field_name="organisation__country__iso3",
        lookup_expr="iexact",
        label=_("Country (ISO3)"),
        max_length=3,
    )
    region = django_filters.ChoiceFilter(
        field_name="organisation__country__region",
        choices=Region.choices,
        empty_label=_("Any region"),
        label=_("Region (UN M49)"),
    )
    domain = django_filters.ChoiceFilter(
        choices=Domain.choices,
        method="filter_words",
        empty_label=_("Any domain"),
        label=_("Domain"),
    )
    way = django_filters.ChoiceFilter(
        choices=Way.choices,
        method="filter_words",
        empty_label=_("Any way of taking part"),
        label=_("Way of taking part"),
    )

    class Meta:
        model = AllianceMembership
        fields = ["q", "kind", "country", "region", "domain", "way"]

    def search(self, queryset, name: str, value: str):
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(
            Q(organisation__name__icontains=term)
            | Q(organisation__description__icontains=term)
            | Q(organisation__country__name__icontains=term)
        )

    def filter_words(self, queryset, name: str, value: str):
        # JSON lists of words: a quoted word in the stored text (see compacts/querysets.py)
        field = {"domain": "domains", "way": "ways"}[name]
        return queryset.filter(**{f"{field}__icontains": f'"{value}"'})
