"""Filters of the public log, shared by its pages and its feeds."""

from datetime import UTC, datetime, time

import django_filters
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aimai_site.filters import FilterSet
from registry import terms
from registry.models import Entry, SearchTerm

EVENTS = [
    ("data_release.published", _("Data release published")),
    ("methodology_version.published", _("Methodology version published")),
    ("score_set.published", _("Score set published")),
    ("compact.activated", _("Compact activated")),
    ("compact.amended", _("Compact amended")),
    ("compact.completed", _("Compact completed")),
    ("compact.terminated", _("Compact terminated")),
    ("compact.stale", _("Compact stale (progress report overdue)")),
    ("progress_report.filed", _("Progress report filed")),
    ("progress_report.verified", _("Progress report verified by every party")),
    ("organisation.verified", _("Organisation verified")),
    ("principles.published", _("Principles of the alliance published")),
    ("membership.accepted", _("Membership accepted")),
    ("membership.suspended", _("Membership suspended")),
    ("membership.reinstated", _("Membership reinstated")),
    ("membership.renewed", _("Membership renewed (principles endorsed)")),
    ("membership.lapsed", _("Membership lapsed")),
    ("membership.ended", _("Membership ended")),
    ("concern.filed", _("Concern filed")),
    ("concern.resolved", _("Concern resolved")),
    ("entry.withheld", _("Entry withheld (personal data)")),
    ("methodology_proposal.opened", _("Methodology proposal opened for comment")),
    ("methodology_proposal.comments_closed", _("Methodology proposal: comment period closed")),
    ("methodology_proposal.withdrawn", _("Methodology proposal withdrawn")),
    ("methodology_proposal.decided", _("Methodology proposal decided")),
]


def _ms(day, end: bool) -> int:
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _words(queryset, kind: str, value: str):
    if not terms.words(value):  # punctuation only: no word to find
        return queryset.none()
    return terms.matching(SearchTerm, queryset, kind, value)


def _search_help() -> str:
    return gettext(
        "Whole words of an identifier (principles@1, swahili asr) or the first %(count)s or "
        "more characters of a digest."
    ) % {"count": terms.DIGEST_PREFIX}


class EntryFilterSet(FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Identifier or digest"), help_text=lazy(_search_help, str)()
    )
    event = django_filters.ChoiceFilter(
        choices=EVENTS, empty_label=_("All events"), label=_("Event")
    )
    organisation = django_filters.CharFilter(
        method="filter_organisation",
        label=_("Organisation"),
        help_text=_("Whole words of its name."),
    )
    country = django_filters.CharFilter(method="filter_country", label=_("Country (ISO3)"))
    since = django_filters.DateFilter(method="filter_since", label=_("From (date)"))
    until = django_filters.DateFilter(method="filter_until", label=_("To (date)"))

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
