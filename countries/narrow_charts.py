"""The public charts laid out for a phone: not the wide drawing shrunk, but a layout that
reads at 390 px. The concentration chart becomes a ranked list read downwards, the map
takes the width with its legend below, a country's contributions put each indicator's name
above its bar. Built from the same rows as the wide charts (countries/charts.py)."""

from __future__ import annotations

import copy

from django.utils.translation import gettext as _

from countries.charts import CLASS_COLOURS, _base, contributions, world_map

# the width a file of a narrow chart is drawn at (a page fits it to the screen); the list's
# parts add up to less than a 390 px screen less the margins and the export menu's button
NARROW_WIDTH = 360
# a phone's map: an equal-earth world is about twice as wide as it is high
MAP_ASPECT = 0.5
ROW = 16  # pixels per country in the ranked list
LABELS = 100  # the names' column
CAPABILITY_WIDTH, SPACING = 96, 6
LEGEND_DROP = 100  # how far above the bars the legends start (the axes' titles below them)
LEGEND = {"title": None, "orient": "none", "direction": "vertical", "labelFontSize": 10}
# what the narrow charts read of a row: a page that carries both layouts carries less twice
LIST_FIELDS = (
    "name",
    "capability",
    "aimai",
    "rank",
    "classification_label",
    "concentration",
    "url",
)


def _narrow(spec: dict) -> dict:
    """A title that wraps: a file's title names its score set after a " (" (downloads.py)."""
    spec["config"] = {**spec["config"], "title": {"lineBreak": " (", "fontSize": 12}}
    return spec


def _only(rows: list[dict], fields) -> list[dict]:
    return [{field: row.get(field) for field in fields} for row in rows]


def concentration_narrow(rows: list[dict], sort_by: str = "capability") -> dict:
    """One line per country, in rank order downwards: its name, its capability (the top N by
    capability in orange), and its AIMAI, left of zero when negative."""
    y = {
        "field": "name",
        "type": "nominal",
        "sort": {"field": sort_by, "order": "descending"},
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
        _only(rows, LIST_FIELDS),
        _(
            "Every scored country in rank order, one line each: its capability, with the top "
            "by capability highlighted, and its AIMAI, negative for those who concentrate "
            "capability and share little."
        ),
    )
    spec["resolve"] = {"scale": {"color": "independent"}, "legend": {"color": "independent"}}
    spec["spacing"] = SPACING
    spec["bounds"] = "flush"  # the views placed by their plots; the legends overlap nothing
    spec["hconcat"] = [
        {
            "width": CAPABILITY_WIDTH - SPACING,
            "height": {"step": ROW},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {**y, "axis": {"labelLimit": LABELS - 6, "labelFontSize": 11}},
                "x": {
                    "field": "capability",
                    "type": "quantitative",
                    "title": _("Capability"),
                    "axis": {"orient": "top", "tickCount": 3},
                },
                "color": {
                    "field": "concentration",
                    "type": "nominal",
                    "scale": {
                        "domain": ["Top by capability", "Others"],
                        "range": ["#e07b00", "#6b8fb5"],
                    },
                    # the legends stack above the names and the capability bars, where a
                    # phone has room; beside the AIMAI bars they would widen the chart
                    "legend": {**LEGEND, "legendX": -LABELS, "legendY": -LEGEND_DROP},
                },
                "tooltip": tooltip,
                "href": {"field": "url"},
            },
        },
        {
            "width": 104,
            "height": {"step": ROW},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {**y, "axis": None},
                "x": {
                    "field": "aimai",
                    "type": "quantitative",
                    "title": "AIMAI",
                    "axis": {"orient": "top", "tickCount": 3},
                },
                "color": {
                    "field": "classification_label",
                    "type": "nominal",
                    "scale": CLASS_COLOURS,
                    "legend": {**LEGEND, "legendX": 30 - CAPABILITY_WIDTH, "legendY": -LEGEND_DROP},
                },
                "tooltip": tooltip,
                "href": {"field": "url"},
            },
        },
    ]
    return _narrow(spec)


def map_narrow(
    rows: list[dict],
    field: str = "aimai",
    geometry_url: str | None = None,
    label: str | None = None,
    log_scale: bool = False,
) -> dict:
    """The world as wide as the screen, as high as the world is (no band of blank below), its
    legend underneath rather than beside it."""
    kept = ("country", "numeric", "name", "url", field)
    spec = world_map(_only(rows, kept), field, geometry_url, label=label, log_scale=log_scale)
    spec["width"] = NARROW_WIDTH
    spec["height"] = round(NARROW_WIDTH * MAP_ASPECT)
    # a page sets the height from the width it has (static/js/charts.js)
    spec["usermeta"] = {"aspect": MAP_ASPECT}
    spec["encoding"]["color"]["legend"].update(
        {"orient": "bottom", "direction": "horizontal", "gradientLength": 220}
    )
    return _narrow(spec)


def contributions_narrow(rows: list[dict], country: str) -> dict:
    """Each indicator's name on its own line above its bar, so that the bars get the width."""
    spec = copy.deepcopy(contributions(rows, country))
    encoding = spec.pop("encoding")
    mark = spec.pop("mark")
    # largest contribution first, in the data's own order (a layered chart keeps no sort by field)
    spec["data"]["values"].sort(key=lambda value: -value["aimai"])
    y = {"field": "name", "type": "nominal", "sort": None, "title": None, "axis": None}
    spec["height"] = {"step": 34}
    encoding.pop("y")
    spec["encoding"] = {"y": {**y, "scale": {"paddingInner": 0.55, "paddingOuter": 0.3}}}
    spec["layer"] = [
        {"mark": {**mark, "yOffset": 6}, "encoding": encoding},
        {
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "bottom",
                "dy": -5,
                "fontSize": 11,
                "limit": NARROW_WIDTH - 20,
            },
            "encoding": {"text": {"field": "name"}, "x": {"value": 0}},
        },
    ]
    spec["config"] = {**spec["config"], "legend": {"orient": "top"}}
    return spec


NARROW_SPECS = {"concentration": concentration_narrow, "map": map_narrow}
LAYOUTS = ("wide", "narrow")


def chart_layout(name: str, params) -> dict[str, str]:
    """?layout=narrow, for the charts that have a phone's layout; nothing for the wide one,
    the default, so that its address and cache key stay as they were."""
    if name in NARROW_SPECS and params.get("layout") == "narrow":
        return {"layout": "narrow"}
    return {}


def chart_spec(name: str, rows: list[dict], options: dict[str, str]) -> dict | None:
    """The narrow layout's specification when the options ask for it; None for the wide one."""
    if options.get("layout") != "narrow":
        return None
    return NARROW_SPECS[name](rows, **{k: v for k, v in options.items() if k != "layout"})


def page_specs(rows: list[dict], sort_by: str, field: str, geometry_url: str) -> dict:
    """The overview's narrow specifications, beside its wide ones."""
    return {
        "concentration-narrow": concentration_narrow(rows, sort_by),
        "map-narrow": map_narrow(rows, field, geometry_url=geometry_url),
    }
