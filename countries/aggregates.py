"""Regional and income-group aggregates of a score set: each group's own row.

The groups are the ones the countries carry: the UN M49 regions (Country.region) and the World
Bank income groups (Country.income_group). A group's figures are plain means over its members
that have an AIMAI (each country counts once, whatever its size), with the spread of AIMAI and
the coverage: how many members are scored, of how many. Read from the score set's cached rows
and one query for the members, whatever the number of countries.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.errors import InvalidInput, NotFoundError
from countries.choices import IncomeGroup, Region
from countries.models import Country, ScoreSet
from countries.names import country_name, name_sort_key
from countries.selectors import score_set_rows

# the kinds of group, by the slug in addresses: (Country field, its choices, name of a group)
KINDS = {
    "regions": ("region", Region, gettext_lazy("UN M49 region")),
    "income-groups": ("income_group", IncomeGroup, gettext_lazy("World Bank income group")),
}
KIND_NAMES = {"region": "regions", "income_group": "income-groups"}
DIMENSIONS = ("aimai", "capability", "solidarity", "burden")


def group_slug(value: str) -> str:
    return value.lower().replace("_", "-").replace(" ", "-")


@dataclass
class Aggregate:
    kind: str  # the Country field: "region" or "income_group"
    slug: str
    name: str
    members: list[dict] = field(default_factory=list)  # every member, its row when scored
    aimai: float | None = None
    capability: float | None = None
    solidarity: float | None = None
    burden: float | None = None
    aimai_min: float | None = None
    aimai_max: float | None = None
    aimai_sd: float | None = None  # population standard deviation of AIMAI

    @property
    def kind_slug(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind_slug][2])

    @property
    def member_count(self) -> int:
        return len(self.members)

    @property
    def scored(self) -> int:
        return sum(1 for m in self.members if m["aimai"] is not None)

    @property
    def coverage(self) -> float:
        return self.scored / self.member_count if self.members else 0.0

    @property
    def url(self) -> str:
        return reverse("groups:detail", kwargs={"kind": self.kind_slug, "slug": self.slug})


def group_urls(country: Country) -> dict[str, str]:
    """The pages of the groups `country` belongs to: {"region": url, "income_group": url}."""
    urls = {}
    for kind_slug, (attribute, _choices, _name) in KINDS.items():
        value = getattr(country, attribute)
        if value:
            kwargs = {"kind": kind_slug, "slug": group_slug(value)}
            urls[attribute] = reverse("groups:detail", kwargs=kwargs)
    return urls


def _members(kind: str, value: str | None = None) -> list[dict]:
    countries = (
        Country.objects.filter(**{kind: value}) if value else Country.objects.exclude(**{kind: ""})
    )
    members = [
        {**member, "name": country_name(member["iso2"], member["name"])}
        for member in countries.values("iso3", "iso2", "name", kind)
    ]
    return sorted(members, key=lambda member: name_sort_key(member["name"]))


def _aggregate(kind: str, value: str, label: str, members: list[dict], rows: dict) -> Aggregate:
    group = Aggregate(kind=kind, slug=group_slug(value), name=label)
    for member in members:
        row = rows.get(member["iso3"], {})
        group.members.append(
            {
                "iso3": member["iso3"],
                "name": member["name"],
                "url": reverse("countries:detail", kwargs={"iso3": member["iso3"]}),
                **{d: row.get(d) for d in DIMENSIONS},
                "rank": row.get("rank"),
                "classification_label": row.get("classification_label", _("Not scored")),
            }
        )
    scored = [m for m in group.members if m["aimai"] is not None]
    if scored:
        for dimension in DIMENSIONS:
            values = [m[dimension] for m in scored if m[dimension] is not None]
            setattr(group, dimension, statistics.fmean(values) if values else None)
        aimai = [m["aimai"] for m in scored]
        group.aimai_min, group.aimai_max = min(aimai), max(aimai)
        group.aimai_sd = statistics.pstdev(aimai)
    return group


def aggregates_get(*, score_set: ScoreSet, kind: str | None = None) -> list[Aggregate]:
    """Every group of `kind` ("regions" or "income-groups"; both when None), in the order of
    their vocabularies, each with its members and figures in `score_set`."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput(
            _("Unknown kind of group; use one of: %(kinds)s.") % {"kinds": ", ".join(KINDS)},
            field="kind",
        )
    rows = {row["country"]: row for row in score_set_rows(score_set)}
    groups = []
    for kind_slug, (attribute, choices, _name) in KINDS.items():
        if kind is not None and kind != kind_slug:
            continue
        by_value: dict[str, list[dict]] = {}
        for member in _members(attribute):
            by_value.setdefault(member[attribute], []).append(member)
        for value, label in choices.choices:
            if value in by_value:
                groups.append(_aggregate(attribute, value, label, by_value[value], rows))
    return groups


def aggregate_get(*, score_set: ScoreSet, kind: str, slug: str) -> Aggregate:
    """One group by its kind and slug; 404 for a kind or group that does not exist."""
    if kind not in KINDS:
        raise NotFoundError(
            _("No kind of group “%(kind)s”; there are %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    attribute, choices, _name = KINDS[kind]
    value = next((v for v, _label in choices.choices if group_slug(v) == slug), None)
    if value is None:
        raise NotFoundError(_("No %(kind)s “%(slug)s”.") % {"kind": KINDS[kind][2], "slug": slug})
    rows = {row["country"]: row for row in score_set_rows(score_set)}
    members = _members(attribute, value)
    return _aggregate(attribute, value, choices(value).label, members, rows)
