"""What a world map shows: a score or an indicator of a score set, joined to the map's shapes
by ISO code, in the site's names, with the countries too small for the shapes as points.

The shapes (Natural Earth 1:110m) carry ISO 3166-1 numeric codes; the scores carry the site's
country list. Both the server's drawing and the browser's join on those codes, so a name in
the map file ("Turkey") is never what a reader sees. Where and why is in data/geo/SOURCES.md.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.errors import InvalidInput
from countries.index.computed import COMPUTED_INDICATORS
from countries.models import Country, Indicator, ScoreSet
from countries.public_index import parsed_of
from countries.selectors import score_row, score_rows

GEO = Path(__file__).resolve().parent / "data" / "geo"
SMALL_STATES = GEO / "small-states.csv"
SCORES = {
    "aimai": "AIMAI",
    "capability": gettext_lazy("Capability"),
    "solidarity": gettext_lazy("Solidarity"),
    "burden": gettext_lazy("Burden"),
}
# the indicator the seed's "AI divide by data centres and HPC" map shows
HPC_INDICATOR = "top500_rmax_tflops"
# shapes the map file gives no ISO code, and what the site's country list (ISO 3166-1, plus
# Kosovo as XKX) makes of them: ISO counts Northern Cyprus and Somaliland as parts of Cyprus
# and Somalia, so they take those countries' values and names
UNCODED_SHAPES = {"N. Cyprus": "CYP", "Somaliland": "SOM", "Kosovo": "XKX"}
FIELD_FORM = re.compile(r"[a-z][a-z0-9_]{0,59}")


@dataclass(frozen=True)
class MapField:
    """A field a map can be coloured by, with the words its title and legend use."""

    code: str
    label: str  # the legend's title: "AIMAI", "TOP500 summed HPL Rmax (TFlop/s)"
    is_score: bool = True
    log_scale: bool = False
    source_organisation: str = ""
    source_url: str = ""

    @property
    def title(self) -> str:
        return _("%(label)s around the world") % {"label": self.label}


def field_form_check(code: str) -> str:
    """A field's spelling, checked before anything is read: a score or an indicator code."""
    if not FIELD_FORM.fullmatch(code):
        raise InvalidInput(
            _(
                "A map field is a score (aimai, capability, solidarity, burden) or an "
                "indicator code of the methodology, e.g. top500_rmax_tflops."
            ),
            field="field",
        )
    return code


def field_codes(score_set: ScoreSet) -> list[str]:
    """What a map of this score set can show: the scores, then its methodology's indicators."""
    codes = [spec.code for spec in parsed_of(score_set).indicators()]
    return [*SCORES, *sorted(set(codes))]


def map_field(code: str, score_set: ScoreSet) -> MapField:
    """The field a map asks for, or InvalidInput naming the fields there are: a map never
    shows something other than what it was asked for."""
    field_form_check(code)
    if code in SCORES:
        return MapField(code, str(SCORES[code]))
    codes = field_codes(score_set)
    if code not in codes:
        raise InvalidInput(
            _("No map field “%(code)s” for %(version)s: choose one of %(codes)s.")
            % {"code": code, "version": score_set.methodology_version, "codes": ", ".join(codes)},
            field="field",
        )
    computed = COMPUTED_INDICATORS.get(code)
    if computed is not None:
        return MapField(code, f"{computed.name} ({computed.unit})", is_score=False)
    found = Indicator.objects.filter(code=code).values(
        "name", "unit", "log_scale", "source_organisation", "source_url"
    )
    indicator = found.first() or {"name": code, "unit": "", "log_scale": False}
    unit = f" ({indicator['unit']})" if indicator["unit"] else ""
    return MapField(
        code,
        f"{indicator['name']}{unit}",
        is_score=False,
        log_scale=indicator["log_scale"],
        source_organisation=indicator.get("source_organisation", ""),
        source_url=indicator.get("source_url", ""),
    )


def map_rows(score_set: ScoreSet, fields: list[str]) -> list[dict]:
    """Every country of the score set as a map's row: its scores and the indicator values
    (as the index used them) of `fields`, then every other country of the site's list with its
    name alone, so that no shape shows the map file's name. Two queries."""
    indicators = [code for code in fields if code not in SCORES]
    rows = []
    for score in score_rows(score_set):
        row = score_row(score)
        for code in indicators:
            value = (score.values or {}).get(code)
            row[code] = value if isinstance(value, int | float) else None
        rows.append(row)
    seen = {row["country"] for row in rows}
    for country in Country.objects.exclude(iso3__in=seen).only("iso3", "iso2", "numeric", "name"):
        rows.append(
            {
                "country": country.iso3,
                "numeric": country.numeric,
                "name": country.local_name,
                "url": country.get_absolute_url(),
            }
        )
    return rows


@lru_cache(maxsize=1)
def small_state_points() -> dict[str, tuple[float, float]]:
    """(longitude, latitude) of each country drawn as a point, by ISO3 code."""
    with SMALL_STATES.open(encoding="utf-8", newline="") as handle:
        return {
            row["iso3"]: (float(row["longitude"]), float(row["latitude"]))
            for row in csv.DictReader(handle)
        }


def shape_keys(geometry: dict) -> set[str]:
    """The join key of every shape of the map file: its ISO numeric code, else its name."""
    return {
        str(shape["id"]) if shape.get("id") else f"name:{shape['properties']['name']}"
        for shape in geometry["objects"]["countries"]["geometries"]
    }


def lookup_rows(rows: list[dict], field: str) -> list[dict]:
    """The rows a map's shapes look up, keyed as the shapes are: by ISO numeric code, and the
    uncoded shapes by their name, with the row of the country the site's list puts them in."""
    keyed = []
    by_iso3 = {}
    for row in rows:
        entry = {
            "key": row.get("numeric") or f"iso3:{row['country']}",
            "country": row["country"],
            "label": row["name"],
            "url": row["url"],
            field: row.get(field),
        }
        keyed.append(entry)
        by_iso3[row["country"]] = entry
    for shape, iso3 in UNCODED_SHAPES.items():
        if iso3 in by_iso3:
            keyed.append({**by_iso3[iso3], "key": f"name:{shape}"})
    return keyed


def point_rows(rows: list[dict], field: str, drawn: set[str]) -> list[dict]:
    """A point for each country with a value that has no shape at 1:110m (`drawn`: the shapes'
    keys), where small-states.csv places it."""
    points = small_state_points()
    found = []
    for row in rows:
        value = row.get(field)
        located = points.get(row["country"])
        if located is None or not isinstance(value, int | float):
            continue
        if row.get("numeric") in drawn:
            continue
        found.append(
            {
                "country": row["country"],
                "label": row["name"],
                "url": row["url"],
                "longitude": located[0],
                "latitude": located[1],
                field: value,
            }
        )
    return found
