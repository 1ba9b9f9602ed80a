"""Vega-Lite specifications of the public charts, built from plain rows (no request, no ORM).

The same specification is rendered in the browser (Vega-Embed, from the bundle the
vl-convert package ships: no CDN) and on the server as SVG or PNG (vl-convert), so a chart
looks the same embedded, downloaded or on the page.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

from countries import maps
from countries.public_index import DIMENSION_LABELS, dimension_label

GEO = Path(__file__).resolve().parent / "data" / "geo" / "countries-110m.json"
# the same file as a static file (STATICFILES_DIRS), for pages to fetch
GEO_STATIC = "geo/countries-110m.json"
CLASS_COLOURS = {
    "domain": ["Bridger", "Neutral", "Divider", "Divider — concentration", "Burdened co-creator"],
    "range": ["#1b7f5b", "#8a8f98", "#b23a48", "#b23a48", "#b7791f"],
}
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
DIMENSIONS = {"aimai": "AIMAI", **DIMENSION_LABELS}


def _expression_text(text: str) -> str:
    """Text as a string literal of a Vega expression: 'measured'."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _base(title: str, rows: list[dict], description: str) -> dict:
    return {
        "$schema": SCHEMA,
        "title": title,
        "description": description,
        "data": {"values": rows},
        "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}},
    }


def concentration(rows: list[dict], sort_by: str = "capability") -> dict:
    """The seed's chart: every country's capability (the top N by capability, the
    concentration, in orange) above its AIMAI, which goes below zero."""
    order = {"field": sort_by, "order": "descending"}
    x = {
        "field": "name",
        "type": "nominal",
        "sort": order,
        "axis": {"labelAngle": -60},
        "title": None,
    }
    tooltip = [
        {"field": "name", "title": _("Country")},
        {"field": "capability", "format": ".1f", "title": _("Capability")},
        {"field": "aimai", "format": ".1f", "title": "AIMAI"},
        {"field": "rank", "title": _("Rank")},
        {"field": "classification_label", "title": _("Class")},
    ]
    spec = _base(
        _("Capability and AIMAI"),
        rows,
        _(
            "Bars of every scored country's capability, with the top by capability "
            "highlighted, above bars of its AIMAI, negative for those who concentrate "
            "capability and share little."
        ),
    )
    # one bar per country, 14 pixels each: wide lists scroll inside their box on a phone
    spec["resolve"] = {"scale": {"color": "independent"}, "legend": {"color": "independent"}}
    spec["vconcat"] = [
        {
            "width": {"step": 14},
            "height": 160,
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "x": {**x, "axis": None},
                "y": {"field": "capability", "type": "quantitative", "title": _("Capability")},
                "color": {
                    "field": "concentration",
                    "type": "nominal",
                    "scale": {
                        "domain": ["Top by capability", "Others"],
                        "range": ["#e07b00", "#6b8fb5"],
                    },
                    "legend": {"title": None, "orient": "top"},
                },
                "tooltip": tooltip,
                "href": {"field": "url"},
            },
        },
        {
            "width": {"step": 14},
            "height": 200,
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "x": x,
                "y": {"field": "aimai", "type": "quantitative", "title": "AIMAI"},
                "color": {
                    "field": "classification_label",
                    "type": "nominal",
                    "scale": CLASS_COLOURS,
                    "legend": {"title": None, "orient": "top"},
                },
                "tooltip": tooltip,
                "href": {"field": "url"},
            },
        },
    ]
    return spec


def scatter(rows: list[dict]) -> dict:
    """AIMAI against capability, coloured by class, sized by burden; a click opens the country."""
    spec = _base(
        _("AIMAI against capability"),
        rows,
        _(
            "One point per scored country: capability across, AIMAI up; colour is the class, "
            "size the burden."
        ),
    )
    spec.update(
        {
            "width": "container",
            "height": 360,
            "mark": {"type": "point", "filled": True, "opacity": 0.8, "tooltip": True},
            "encoding": {
                "x": {"field": "capability", "type": "quantitative", "title": _("Capability")},
                "y": {"field": "aimai", "type": "quantitative", "title": "AIMAI"},
                "color": {
                    "field": "classification_label",
                    "type": "nominal",
                    "scale": CLASS_COLOURS,
                    "title": _("Class"),
                },
                "size": {"field": "burden", "type": "quantitative", "title": _("Burden")},
                "tooltip": [
                    {"field": "name", "title": _("Country")},
                    {"field": "aimai", "format": ".1f", "title": "AIMAI"},
                    {"field": "capability", "format": ".1f", "title": _("Capability")},
                    {"field": "solidarity", "format": ".1f", "title": _("Solidarity")},
                    {"field": "burden", "format": ".1f", "title": _("Burden")},
                    {"field": "rank", "title": _("Rank")},
                ],
                "href": {"field": "url"},
            },
        }
    )
    return spec


@lru_cache(maxsize=1)
def world_geometry() -> dict:
    return json.loads(GEO.read_text(encoding="utf-8"))


def world_map(
    rows: list[dict],
    field: str = "aimai",
    geometry_url: str | None = None,
    label: str | None = None,
    log_scale: bool = False,
) -> dict:
    """The world coloured by AIMAI, a dimension or an indicator (`field`, named `label`);
    countries without a value shown as such, and those too small for the map's shapes as
    points (countries/maps.py).

    The countries' shapes are written into the specification, as a file needs them; a page
    passes `geometry_url` instead, the static file the browser fetches once and keeps."""
    label = str(label or DIMENSIONS.get(field, field))
    value = f"datum['{field}']"
    spec = _base(
        _("%(label)s around the world") % {"label": label},
        rows,
        _("Countries coloured by %(label)s; grey where there is no value; small states as points.")
        % {"label": label},
    )
    measured = _expression_text(_("measured"))
    if field == "aimai":
        scale = {"scheme": "redyellowgreen", "domainMid": 0}
    elif field == "burden":
        scale = {"scheme": "orangered"}
    else:
        scale = {"scheme": "blues", **({"type": "symlog"} if log_scale else {})}
    legend = {"orient": "bottom", "direction": "horizontal", "titleLimit": 480}
    if log_scale:  # a value spanning orders of magnitude: one tick every hundredfold
        top = max((r[field] for r in rows if isinstance(r.get(field), int | float)), default=0)
        powers = range(int(math.log10(top)), 0, -2) if top >= 10 else ()
        legend.update(
            {
                "values": [0, *sorted(10**k for k in powers)],
                "labelExpr": "datum.value >= 1e6 ? format(datum.value / 1e6, '~r') + 'M' : "
                "datum.value >= 1e3 ? format(datum.value / 1e3, '~r') + 'k' : "
                "format(datum.value, '~r')",
            }
        )
    spec.update(
        {
            "width": "container",
            "height": 380,
            "data": {
                **({"url": geometry_url} if geometry_url else {"values": world_geometry()}),
                "format": {"type": "topojson", "feature": "countries"},
            },
            "projection": {"type": "equalEarth"},
            # shared by the shapes and the points, so both use one colour scale and legend
            "encoding": {
                "color": {
                    "condition": {"test": f"!isNumber({value})", "value": "#d9dce1"},
                    "field": field,
                    "type": "quantitative",
                    "title": label,
                    "scale": scale,
                    "legend": legend,
                },
                "tooltip": [
                    {"field": "label", "title": _("Country")},
                    {
                        "field": field,
                        "format": ".1f" if field in DIMENSIONS else ",.2~f",
                        "title": label,
                    },
                    {"field": "has_value", "title": _("Data")},
                ],
                "description": {"field": "label"},
                "href": {"field": "url"},
            },
            "layer": [
                {
                    "transform": [
                        # joined by ISO code; a shape the file gives no code by its name
                        {
                            "calculate": "isValid(datum.id) ? datum.id : "
                            "'name:' + datum.properties.name",
                            "as": "key",
                        },
                        {
                            "lookup": "key",
                            "from": {
                                "data": {"values": maps.lookup_rows(rows, field)},
                                "key": "key",
                                "fields": [field, "label", "url"],
                            },
                            # keep countries without a row (a lookup drops them without one)
                            "default": "",
                        },
                        {
                            "calculate": "datum.label ? datum.label : datum.properties.name",
                            "as": "label",
                        },
                        {
                            "calculate": f"isNumber({value}) ? {measured} : "
                            f"{_expression_text(_('no data'))}",
                            "as": "has_value",
                        },
                    ],
                    # invalid: None keeps shapes without a value, which Vega-Lite would drop
                    "mark": {
                        "type": "geoshape",
                        "stroke": "#fff",
                        "strokeWidth": 0.4,
                        "tooltip": True,
                        "invalid": None,
                    },
                },
                {
                    "data": {
                        "values": maps.point_rows(rows, field, maps.shape_keys(world_geometry()))
                    },
                    "transform": [{"calculate": measured, "as": "has_value"}],
                    "mark": {
                        "type": "circle",
                        "size": 40,
                        "opacity": 1,
                        "stroke": "#1f2328",
                        "strokeWidth": 0.6,
                        "tooltip": True,
                    },
                    "encoding": {
                        "longitude": {"field": "longitude", "type": "quantitative"},
                        "latitude": {"field": "latitude", "type": "quantitative"},
                    },
                },
            ],
        }
    )
    return spec


def contributions(rows: list[dict], country: str) -> dict:
    """What pushes one country's AIMAI up or down: each indicator's contribution to it."""
    values = [
        {"name": r["name"], "dimension": dimension_label(r["dimension"]), "aimai": r["aimai"]}
        for r in rows
        if r["aimai"] is not None
    ]
    spec = _base(
        _("What makes up %(country)s's AIMAI") % {"country": country},
        values,
        _(
            "One bar per indicator: its contribution to AIMAI, positive or negative; the bars "
            "add up to AIMAI."
        ),
    )
    spec.update(
        {
            "width": "container",
            "height": {"step": 22},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {"field": "name", "type": "nominal", "sort": "-x", "title": None},
                "x": {
                    "field": "aimai",
                    "type": "quantitative",
                    "title": _("Contribution to AIMAI"),
                },
                "color": {
                    "field": "dimension",
                    "type": "nominal",
                    "scale": {
                        "domain": [
                            dimension_label(name) for name in ("capability", "solidarity", "burden")
                        ],
                        "range": ["#e07b00", "#1b7f5b", "#6b6f78"],
                    },
                    "title": _("Dimension"),
                },
                "tooltip": [
                    {"field": "name", "title": _("Indicator")},
                    {"field": "dimension", "title": _("Dimension")},
                    {"field": "aimai", "format": ".2f", "title": _("Contribution")},
                ],
            },
        }
    )
    return spec


SPECS = {"concentration": concentration, "scatter": scatter, "map": world_map}
