"""Filters of the public log, shared by its pages and its feeds."""

from datetime import UTC, datetime, time

import django_filters

from aimai_site.filters import FilterSet
from registry import terms
from registry.models import Entry, SearchTerm

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
    ("principles.published", "Principles of the alliance published"),
    ("membership.accepted", "Membership accepted"),
    ("membership.suspended", "Membership suspended"),
    ("membership.reinstated", "Membership reinstated"),
    ("membership.renewed", "Membership renewed (principles endorsed)"),
    ("membership.lapsed", "Membership lapsed"),
    ("membership.ended", "Membership ended"),
    ("concern.filed", "Concern filed"),
    ("concern.resolved", "Concern resolved"),
    ("entry.withheld", "Entry withheld (personal data)"),
    ("methodology_proposal.opened", "Methodology proposal opened for comment"),
    ("methodology_proposal.comments_closed", "Methodology proposal: comment period closed"),
    ("methodology_proposal.withdrawn", "Methodology proposal withdrawn"),
    ("methodology_proposal.decided", "Methodology proposal decided"),
]


def _ms(day, end: bool) -> int:
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _words(queryset, kind: str, value: str):
    if not terms.words(value):  # punctuation only: no word to find
        return queryset.none()
    return terms.matching(SearchTerm, queryset, kind, value)


class EntryFilterSet(FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label="Identifier or digest",
        help_text="Whole words of an identifier (principles@1, swahili asr) or the first "
        f"{terms.DIGEST_PREFIX} or more characters of a digest.",
    )
    event = django_filters.ChoiceFilter(choices=EVENTS, empty_label="All events", label="Event")
    organisation = django_filters.CharFilter(
        method="filter_organisation", label="Organisation", help_text="Whole words of its name."
    )
    country = django_filters.CharFilter(method="filter_country", label="Country (ISO3)")
    since = django_filters.DateFilter(method="filter_since", label="From (date)")
    until = django_filters.DateFilter(method="filter_until", label="To (date)")

    class Meta:
        model = Entry
        fields = ["q", "event", "organisation", "country", "since", "until"]

    def search(self, queryset, name, value):
        """Through the index of words (registry/terms.py), never a scan of the log."""
        return _words(queryset, terms.WORD, value)

    def filter_organisation(self, queryset, name, value):
        return _words(queryset, terms.ORGANISATION, value)

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.strip().upper())

    def filter_since(self, queryset, name, value):
        return queryset.filter(timestamp__gte=_ms(value, end=False))

    def filter_until(self, queryset, name, value):
        return queryset.filter(timestamp__lte=_ms(value, end=True))
