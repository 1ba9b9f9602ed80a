"""The seed's two world maps: AI compute (TOP500 capacity) by country, and AI capability next
to AIMAI. Each drawn in the browser from its specification, the server's drawing shown first
and without JavaScript; rendered once per state of the index like the other public pages."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static

from aimai_site.errors import DomainError, NotFoundError
from countries import charts, maps
from countries.selectors import score_set_resolve
from countries.views import public_page


@dataclass(frozen=True)
class SeedMap:
    slug: str  # the element's id and the specification's name
    field: maps.MapField
    spec: dict


@public_page
def maps_view(request: HttpRequest) -> HttpResponse:
    try:
        score_set = score_set_resolve()
    except NotFoundError as exc:
        return render(request, "countries/maps.html", {"error": exc.message}, status=404)
    try:
        hpc = maps.map_field(maps.HPC_INDICATOR, score_set)
    except DomainError:  # a methodology without the TOP500 indicator: that map is left out
        hpc = None
    pair = [maps.map_field("capability", score_set), maps.map_field("aimai", score_set)]
    fields = [hpc, *pair] if hpc else pair
    rows = maps.map_rows(score_set, [field.code for field in fields])
    geometry_url = static(charts.GEO_STATIC)

    def seed_map(field: maps.MapField) -> SeedMap:
        spec = charts.world_map(
            rows,
            field.code,
            geometry_url=geometry_url,
            label=field.label,
            log_scale=field.log_scale,
        )
        # as tall as its box allows (the stylesheet keeps the box in a map's proportions, so a
        # phone gets no blank band), under a title short enough for a phone: the caption above
        # says the rest
        spec["height"] = "container"
        spec["title"] = {"text": field.label, "anchor": "start"}
        return SeedMap(f"map-{field.code.replace('_', '-')}", field, spec)

    context = {
        "score_set": score_set,
        "release": score_set.release,
        "hpc": seed_map(hpc) if hpc else None,
        "pair": [seed_map(field) for field in pair],
        # the TOP500 list is complete: a country without a system has 0, not a gap
        "with_systems": sum(1 for row in rows if (row.get(hpc.code) or 0) > 0) if hpc else 0,
    }
    return render(request, "countries/maps.html", context)
