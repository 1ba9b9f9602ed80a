"""Countries side by side: which countries a comparison's URL names, their scores on the three
dimensions, AIMAI and each indicator, and the chart of them.

The URL is the comparison's whole state: `?countries=KEN,IND,BRA` (ISO 3166-1 alpha-3 codes, in
the reader's order). The reads are a fixed handful whatever the number of countries: the score
set's rows come from the cache (countries/selectors.py), the indicators' values of the chosen
countries in one query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aimai_site.errors import InvalidInput
from countries.charts import SCHEMA
from countries.index.methodology import DIMENSIONS
from countries.models import Score, ScoreSet
from countries.public_index import parsed_of
from countries.selectors import indicator_labels

# enough for a region's neighbours or a group of peers; a chart of more is unreadable
MAX_COUNTRIES = 12
PARAM = "countries"
CODE = re.compile(r"[A-Za-z]{3}")
MEASURES = {
    "capability": gettext_lazy("Capability"),
    "solidarity": gettext_lazy("Solidarity"),
    "burden": gettext_lazy("Burden"),
    "aimai": "AIMAI",
}
# a colour per country, in the order chosen: distinguishable and dark enough on white
PALETTE = [
    "#1f77b4",
    "#d95f02",
    "#1b7f5b",
    "#b23a48",
    "#6a3d9a",
    "#8c564b",
    "#c2185b",
    "#4d4d4d",
    "#7a7a00",
    "#00838f",
    "#e07b00",
    "#3949ab",
]


def codes_parse(values: list[str]) -> list[str]:
    """The ISO3 codes a query names (`countries=KEN,IND` or the parameter repeated), upper-cased,
    each once, in order. Malformed or too many: InvalidInput naming them."""
    codes: list[str] = []
    malformed: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if not CODE.fullmatch(part):
                malformed.append(part[:20])
            elif part.upper() not in codes:
                codes.append(part.upper())
    if malformed:
        raise InvalidInput(
            _("Not a country code: %(codes)s. Use ISO 3166-1 alpha-3 codes such as KEN, IND, BRA.")
            % {"codes": ", ".join(malformed)},
            field=PARAM,
        )
    if len(codes) > MAX_COUNTRIES:
        raise InvalidInput(
            _("%(count)s countries asked for; a comparison holds at most %(max)s.")
            % {"count": len(codes), "max": MAX_COUNTRIES},
            field=PARAM,
        )
    return codes


def codes_known(codes: list[str], rows: list[dict]) -> list[dict]:
    """The rows of `codes` in their order; InvalidInput naming the codes the score set does not
    hold."""
    by_code = {row["country"]: row for row in rows}
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        raise InvalidInput(
            ngettext(
                "Unknown country code: %(codes)s.",
                "Unknown country codes: %(codes)s.",
                len(unknown),
            )
            % {"codes": ", ".join(unknown)},
            field=PARAM,
        )
    return [by_code[code] for code in codes]


def country_find(text: str, rows: list[dict]) -> str | None:
    """The ISO3 code of the country a reader typed: its code, its name (any case), or the one
    name that starts with what was typed."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return None
    for row in rows:
        if wanted in (row["country"].casefold(), row["name"].casefold()):
            return row["country"]
    starting = [row["country"] for row in rows if row["name"].casefold().startswith(wanted)]
    return starting[0] if len(starting) == 1 else None


def query_of(codes: list[str]) -> str:
    """The comparison's query string (without "?")."""
    return f"{PARAM}={','.join(codes)}" if codes else ""


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    dimension: str
    unit: str
    cells: list[tuple[float | None, float | None]]  # (value, 0-100 score) per country


@dataclass(frozen=True)
class Comparison:
    score_set: ScoreSet
    rows: list[dict]  # the countries' score rows, in the order chosen
    indicators: list[IndicatorRow]

    @property
    def codes(self) -> list[str]:
        return [row["country"] for row in self.rows]

    @property
    def removals(self) -> list[tuple[dict, str]]:
        """Each country with the query of the comparison without it."""
        return [
            (row, query_of([c for c in self.codes if c != row["country"]])) for row in self.rows
        ]


def comparison_get(*, score_set: ScoreSet, rows: list[dict], codes: list[str]) -> Comparison:
    """The chosen countries of a score set with every indicator's value and 0-100 score: two
    queries (the values, the indicators' names), however many countries."""
    chosen = codes_known(codes, rows)
    if not chosen:
        return Comparison(score_set, [], [])
    found = {
        iso3: (values or {}, normalised or {})
        for iso3, values, normalised in Score.objects.filter(
            score_set=score_set, country__iso3__in=codes
        ).values_list("country__iso3", "values", "normalised")
    }
    labels = indicator_labels()
    indicators = []
    parsed = parsed_of(score_set)
    for dimension in DIMENSIONS:
        for spec in parsed.dimensions[dimension].leaves():
            label = labels.get(spec.code)
            cells = [
                (
                    found.get(code, ({}, {}))[0].get(spec.code),
                    found.get(code, ({}, {}))[1].get(spec.code),
                )
                for code in codes
            ]
            indicators.append(
                IndicatorRow(
                    spec.code,
                    label.name if label else spec.code,
                    dimension,
                    label.unit if label else "",
                    cells,
                )
            )
    return Comparison(score_set, chosen, indicators)


def chart(rows: list[dict]) -> dict:
    """Grouped bars: for each of Capability, Solidarity, Burden and AIMAI, one bar per country,
    in the order chosen and in the same colour throughout."""
    names = [row["name"] for row in rows]
    measures = {field: str(label) for field, label in MEASURES.items()}
    values = [
        {
            "country": row["country"],
            "name": row["name"],
            "measure": label,
            "value": row[field],
            "classification_label": row["classification_label"],
            "url": row["url"],
        }
        for field, label in measures.items()
        for row in rows
        if row[field] is not None
    ]
    return {
        "$schema": SCHEMA,
        "title": _("Countries compared"),
        "description": _(
            "For each of Capability, Solidarity, Burden and AIMAI, one bar per country "
            "compared, in the same colour throughout."
        ),
        "data": {"values": values},
        "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}},
        "width": "container",
        "height": 320,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "measure",
                "type": "nominal",
                "sort": list(measures.values()),
                "title": None,
                "axis": {"labelAngle": 0},
            },
            "xOffset": {"field": "name", "type": "nominal", "sort": names},
            "y": {"field": "value", "type": "quantitative", "title": _("Score")},
            "color": {
                "field": "name",
                "type": "nominal",
                "sort": names,
                "scale": {"domain": names, "range": PALETTE[: len(names)]},
                "legend": {"title": None, "orient": "top"},
            },
            "tooltip": [
                {"field": "name", "title": _("Country")},
                {"field": "measure", "title": _("Score")},
                {"field": "value", "format": ".1f", "title": _("Value")},
                {"field": "classification_label", "title": _("Class")},
            ],
            "href": {"field": "url"},
        },
    }
