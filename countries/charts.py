"""Vega-Lite specifications of the public charts, built from plain rows (no request, no ORM).

The same specification is rendered in the browser (Vega-Embed, from the bundle the
vl-convert package ships: no CDN) and on the server as SVG or PNG (vl-convert), so a chart
looks the same embedded, downloaded or on the page.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

GEO = Path(__file__).resolve().parent / "data" / "geo" / "countries-110m.json"
# the same file as a static file (STATICFILES_DIRS), for pages to fetch
GEO_STATIC = "geo/countries-110m.json"
CLASS_COLOURS = {
    "domain": ["Bridger", "Neutral", "Divider", "Divider — concentration", "Burdened co-creator"],
    "range": ["#1b7f5b", "#8a8f98", "#b23a48", "#b23a48", "#b7791f"],
}
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
DIMENSIONS = {
    "aimai": "AIMAI",
    "capability": "Capability",
    "solidarity": "Solidarity",
    "burden": "Burden",
}


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
        {"field": "name", "title": "Country"},
        {"field": "capability", "format": ".1f", "title": "Capability"},
        {"field": "aimai", "format": ".1f", "title": "AIMAI"},
        {"field": "rank", "title": "Rank"},
        {"field": "classification_label", "title": "Class"},
    ]
    spec = _base(
        "Capability and AIMAI",
        rows,
        "Bars of every scored country's capability, with the top by capability highlighted, "
        "above bars of its AIMAI, negative for those who concentrate capability and share "
        "little.",
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
                "y": {"field": "capability", "type": "quantitative", "title": "Capability"},
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
        "AIMAI against capability",
        rows,
        "One point per scored country: capability across, AIMAI up; colour is the class, size "
        "the burden.",
    )
    spec.update(
        {
            "width": "container",
            "height": 360,
            "mark": {"type": "point", "filled": True, "opacity": 0.8, "tooltip": True},
            "encoding": {
                "x": {"field": "capability", "type": "quantitative", "title": "Capability"},
                "y": {"field": "aimai", "type": "quantitative", "title": "AIMAI"},
                "color": {
                    "field": "classification_label",
                    "type": "nominal",
                    "scale": CLASS_COLOURS,
                    "title": "Class",
                },
                "size": {"field": "burden", "type": "quantitative", "title": "Burden"},
                "tooltip": [
                    {"field": "name", "title": "Country"},
                    {"field": "aimai", "format": ".1f", "title": "AIMAI"},
                    {"field": "capability", "format": ".1f", "title": "Capability"},
                    {"field": "solidarity", "format": ".1f", "title": "Solidarity"},
                    {"field": "burden", "format": ".1f", "title": "Burden"},
                    {"field": "rank", "title": "Rank"},
                ],
                "href": {"field": "url"},
            },
        }
    )
    return spec


@lru_cache(maxsize=1)
def world_geometry() -> dict:
    return json.loads(GEO.read_text(encoding="utf-8"))


def world_map(rows: list[dict], field: str = "aimai", geometry_url: str | None = None) -> dict:
    """The world coloured by AIMAI or a dimension; countries without a score shown as such.

    The countries' shapes are written into the specification, as a file needs them; a page
    passes `geometry_url` instead, the static file the browser fetches once and keeps."""
    label = DIMENSIONS[field]
    spec = _base(
        f"{label} around the world",
        rows,
        f"Countries coloured by {label}; grey where there is no score.",
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
            "transform": [
                {
                    "lookup": "id",
                    "from": {
                        "data": {"values": rows},
                        "key": "numeric",
                        "fields": [field, "name", "url"],
                    },
                    # keep countries without a score (a lookup drops them without a default)
                    "default": "no data",
                },
                {
                    "calculate": f"isNumber(datum['{field}']) ? 'scored' : 'no data'",
                    "as": "has_score",
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
            "encoding": {
                "color": {
                    "condition": {
                        "test": f"!isNumber(datum['{field}'])",
                        "value": "#d9dce1",
                    },
                    "field": field,
                    "type": "quantitative",
                    "title": label,
                    "scale": (
                        {"scheme": "redyellowgreen", "domainMid": 0}
                        if field == "aimai"
                        else {"scheme": "orangered" if field == "burden" else "blues"}
                    ),
                },
                "tooltip": [
                    {"field": "properties.name", "title": "Country"},
                    {"field": field, "format": ".1f", "title": label},
                    {"field": "has_score", "title": "Data"},
                ],
                "href": {"field": "url"},
            },
        }
    )
    return spec


def contributions(rows: list[dict], country: str) -> dict:
    """What pushes one country's AIMAI up or down: each indicator's contribution to it."""
    values = [
        {"name": r["name"], "dimension": r["dimension"].capitalize(), "aimai": r["aimai"]}
        for r in rows
        if r["aimai"] is not None
    ]
    spec = _base(
        f"What makes up {country}'s AIMAI",
        values,
        "One bar per indicator: its contribution to AIMAI, positive or negative; the bars add "
        "up to AIMAI.",
    )
    spec.update(
        {
            "width": "container",
            "height": {"step": 22},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {"field": "name", "type": "nominal", "sort": "-x", "title": None},
                "x": {"field": "aimai", "type": "quantitative", "title": "Contribution to AIMAI"},
                "color": {
                    "field": "dimension",
                    "type": "nominal",
                    "scale": {
                        "domain": ["Capability", "Solidarity", "Burden"],
                        "range": ["#e07b00", "#1b7f5b", "#6b6f78"],
                    },
                    "title": "Dimension",
                },
                "tooltip": [
                    {"field": "name", "title": "Indicator"},
                    {"field": "dimension", "title": "Dimension"},
                    {"field": "aimai", "format": ".2f", "title": "Contribution"},
                ],
            },
        }
    )
    return spec


SPECS = {"concentration": concentration, "scatter": scatter, "map": world_map}
