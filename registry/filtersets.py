"""Filters of the public log, shared by its pages and its feeds."""

from datetime import UTC, datetime, time

import django_filters
from django.db.models import Q

from aimai_site.filters import FilterSet
from registry.models import Entry

EVENTS = [
    ("data_release.published", "Data release published"),
    ("methodology_version.published", "Methodology version published"),
    ("score_set.published", "Score set published"),
    ("compact.activated", "Compact activated"),
    ("compact.amended", "Compact amended"),
    ("compact.completed", "Compact completed"),
    ("compact.terminated", "Compact terminated"),
    ("compact.stale", "Compact stale (progress report overdue)"),
    ("progress_report.filed", "Progress report filed"),
    ("progress_report.verified", "Progress report verified by every party"),
    ("organisation.verified", "Organisation verified"),
    ("concern.filed", "Concern filed"),
    ("concern.resolved", "Concern resolved"),
]


def _ms(day, end: bool) -> int:
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    return int(moment.timestamp() * 1000)


class EntryFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label="Identifier or digest")
    event = django_filters.ChoiceFilter(choices=EVENTS, empty_label="All events", label="Event")
    organisation = django_filters.CharFilter(lookup_expr="icontains", label="Organisation")
    country = django_filters.CharFilter(method="filter_country", label="Country (ISO3)")
    since = django_filters.DateFilter(method="filter_since", label="From (date)")
    until = django_filters.DateFilter(method="filter_until", label="To (date)")

    class Meta:
        model = Entry
        fields = ["q", "event", "organisation", "country", "since", "until"]

    def search(self, queryset, name, value):
        term = value.strip().lower()
        return queryset.filter(Q(identifier__icontains=term) | Q(digest__startswith=term))

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.strip().upper())

    def filter_since(self, queryset, name, value):
        return queryset.filter(timestamp__gte=_ms(value, end=False))

    def filter_until(self, queryset, name, value):
        return queryset.filter(timestamp__lte=_ms(value, end=True))
