"""The world map: coloured by the field asked for (a score or an indicator of the methodology)
or refused, joined to the shapes by ISO code in the site's names, the small states as points,
the shapes the map file splits off drawn as the country list says; and the page of the seed's
two maps, rendered once with a number of queries that does not grow with the countries."""

import re

import pytest
from django.core.cache import cache

from aimai_site.rendered import rendered_key
from countries import charts, maps
from countries.downloads import chart_kind
from countries.models import Country, Methodology, ScoreSet
from tests.countries.test_pages import query_count

pytestmark = pytest.mark.django_db

HPC = "top500_rmax_tflops"


def current() -> ScoreSet:
    return ScoreSet.objects.for_methodology(Methodology.objects.headline().slug).current()


def aria_labels(svg: str, layer: int) -> list[str]:
    """The names the server's drawing gives the marks of one layer (0: shapes, 1: points)."""
    group = re.search(rf'<g class="mark-\w+ role-mark layer_{layer}_marks"(.*?)</g>', svg, re.S)
    assert group, f"no layer {layer} in the drawing"
    return re.findall(r'aria-label="([^"]*)"', group.group(1))


def without_shape(score_set: ScoreSet, field: str) -> set[str]:
    """The names of the countries with a value for `field` that the map file has no shape for."""
    keys = maps.shape_keys(charts.world_geometry())
    found = set()
    for score in score_set.scores.select_related("country"):
        value = getattr(score, field) if field in maps.SCORES else score.values.get(field)
        if value is not None and score.country.numeric not in keys:
            found.add(score.country.name)
    return found


# --- the field chooser ---------------------------------------------------------------------


@pytest.mark.parametrize("field", ["aimai", "capability", "solidarity", "burden", HPC])
def test_the_map_shows_the_field_it_is_asked_for(client, field):
    spec = client.get("/charts/map.json", {"field": field}).json()
    color = spec["encoding"]["color"]
    assert color["field"] == field
    lookup = spec["layer"][0]["transform"][1]
    assert lookup["from"]["fields"][0] == field
    rows = {row["key"]: row for row in lookup["from"]["data"]["values"]}
    usa = current().scores.get(country__iso3="USA")
    expected = getattr(usa, field) if field in maps.SCORES else usa.values[field]
    assert rows["840"][field] == pytest.approx(expected)
    # the title and the legend name the field
    if field in maps.SCORES:
        assert color["title"] == maps.SCORES[field]
        assert spec["title"]["text"].startswith(f"{maps.SCORES[field]} around the world")


def test_the_compute_map_is_titled_by_its_indicator_on_a_log_scale(client):
    spec = client.get("/charts/map.json", {"field": HPC}).json()
    color = spec["encoding"]["color"]
    assert color["title"] == "TOP500 summed HPL Rmax (TFlop/s)"
    assert spec["title"]["text"].startswith("TOP500 summed HPL Rmax (TFlop/s) around the world")
    assert color["scale"]["type"] == "symlog"
    assert color["legend"]["values"][0] == 0
    svg = client.get("/charts/map.svg", {"field": HPC}).content.decode()
    assert "TOP500 summed HPL Rmax (TFlop/s) around the world" in svg
    assert "AIMAI around the world" not in svg
    aimai = client.get("/charts/map.svg").content.decode()
    assert "AIMAI around the world" in aimai


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("nope", "No map field “nope”"),
        ("population", "No map field “population”"),  # an indicator the methodology does not use
        ("Bad field!", "A map field is a score"),
        ("aimai'); alert(1", "A map field is a score"),
    ],
)
def test_an_unknown_field_is_refused_not_drawn_as_another(client, settings, field, message):
    settings.RENDERS_PER_MINUTE = 0  # refused before any render is counted
    for fmt in ("svg", "png", "json"):
        response = client.get(f"/charts/map.{fmt}", {"field": field})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert response["Content-Type"].startswith("text/plain")
    listed = client.get("/charts/map.json", {"field": "nope"}).content.decode()
    assert "aimai, capability, solidarity, burden" in listed
    assert HPC in listed
    assert (
        cache.get(rendered_key(chart_kind("map", "json"), current().digest, {"field": field}))
        is None
    )


def test_the_render_cache_key_includes_the_field(client):
    digest = current().digest
    aimai = client.get("/charts/map.svg")
    hpc = client.get("/charts/map.svg", {"field": HPC})
    assert aimai.status_code == hpc.status_code == 200
    assert aimai.content != hpc.content
    assert aimai["ETag"] != hpc["ETag"]
    assert cache.get(rendered_key(chart_kind("map", "svg"), digest, {"field": "aimai"})).body == (
        aimai.content
    )
    assert (
        cache.get(rendered_key(chart_kind("map", "svg"), digest, {"field": HPC})).body
        == hpc.content
    )
    # a conditional GET of one field's map is not answered with another's
    again = client.get("/charts/map.svg", {"field": HPC}, HTTP_IF_NONE_MATCH=aimai["ETag"])
    assert again.status_code == 200
    assert again.content == hpc.content


# --- small states, names, split territories --------------------------------------------------


@pytest.mark.parametrize("field", ["aimai", "capability"])
def test_every_country_with_a_value_is_drawn_the_small_ones_as_points(client, field):
    svg = client.get("/charts/map.svg", {"field": field}).content.decode()
    points = aria_labels(svg, 1)
    small = without_shape(current(), field)
    assert {"Singapore", "Bahrain", "Malta"} <= small
    assert set(points) == small  # every one of them, and only those
    assert len(points) == len(small)


def test_hong_kong_is_a_point_wherever_it_has_a_value(client):
    hong_kong = current().scores.get(country__iso3="HKG")
    fields = [f for f in ("aimai", "capability", "solidarity") if getattr(hong_kong, f) is not None]
    assert fields, "Hong Kong has no score to show"
    for field in fields:
        svg = client.get("/charts/map.svg", {"field": field}).content.decode()
        assert "Hong Kong" in aria_labels(svg, 1)


def test_the_map_uses_the_site_names_joined_by_iso_code(client):
    assert Country.objects.get(iso3="TUR").name == "Türkiye"
    svg = client.get("/charts/map.svg").content.decode()
    shapes = aria_labels(svg, 0)
    assert "Türkiye" in shapes
    assert "Turkey" not in svg
    # the map file's own abbreviations give way to the site's names
    assert "Dem. Rep. Congo" not in shapes
    assert Country.objects.get(iso3="COD").name in shapes
    spec = client.get("/charts/map.json").json()
    rows = {row["key"]: row for row in spec["layer"][0]["transform"][1]["from"]["data"]["values"]}
    assert rows["792"]["label"] == "Türkiye"
    assert rows["792"]["country"] == "TUR"


def test_split_off_territories_are_drawn_as_the_country_list_says(client):
    score_set = current()
    spec = client.get("/charts/map.json").json()
    rows = spec["layer"][0]["transform"][1]["from"]["data"]["values"]
    by_key = {row["key"]: row for row in rows}
    for shape, iso3 in maps.UNCODED_SHAPES.items():
        row = by_key[f"name:{shape}"]
        assert row["country"] == iso3
        score = score_set.scores.get(country__iso3=iso3)
        assert row["aimai"] == score.aimai
        assert row["label"] == score.country.name
    assert by_key["name:N. Cyprus"]["aimai"] == by_key["196"]["aimai"]
    assert by_key["name:Somaliland"]["aimai"] == by_key["706"]["aimai"]
    svg = client.get("/charts/map.svg").content.decode()
    shapes = aria_labels(svg, 0)
    assert shapes.count("Cyprus") == 2  # Cyprus and the north, both Cyprus
    assert shapes.count("Somalia") == 2
    assert "Kosovo" in shapes
    for name in ("N. Cyprus", "Somaliland"):
        assert name not in svg


def test_the_points_file_cites_a_source_for_every_point():
    import csv

    with maps.SMALL_STATES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {"SGP", "BHR", "MLT", "HKG"} <= {row["iso3"] for row in rows}
    for row in rows:
        assert row["source"].startswith("https://github.com/nvkelso/natural-earth-vector/blob/")
        assert -180 <= float(row["longitude"]) <= 180
        assert -90 <= float(row["latitude"]) <= 90
        assert Country.objects.filter(iso3=row["iso3"]).exists()


# --- the page of the seed's two maps -----------------------------------------------------------


def spec_of(html: str, name: str) -> dict:
    import json

    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S)
    assert found, name
    return json.loads(found.group(1))


def test_the_maps_page_shows_the_seed_maps_with_sources_and_downloads(client):
    score_set = current()
    response = client.get("/maps/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "AI divide by data centres and high-performance computing" in html
    assert "AI capability and AIMAI" in html
    for field, slug in ((HPC, "map-top500-rmax-tflops"), ("capability", "map-capability")):
        still = f"/charts/map.svg?score_set={score_set.digest}&amp;field={field}"
        assert f'<img class="chart-still" src="{still}"' in html
        assert spec_of(html, slug)["encoding"]["color"]["field"] == field
        assert client.get(still.replace("&amp;", "&")).status_code == 200
    assert spec_of(html, "map-aimai")["encoding"]["color"]["field"] == "aimai"
    # each with its source line and a link to its data
    assert "https://www.top500.org/lists/top500/2025/06/" in html
    assert f"/downloads/observations/{score_set.release.slug}.csv" in html
    assert f"/downloads/scores.csv?score_set={score_set.digest}" in html
    # the overview's map links here
    assert 'href="/maps/"' in client.get("/").content.decode()


def test_the_maps_page_is_rendered_once(client, django_assert_num_queries):
    first = client.get("/maps/")
    with django_assert_num_queries(0):
        again = client.get("/maps/")
        unchanged = client.get("/maps/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.content == first.content
    assert unchanged.status_code == 304


def test_the_maps_page_queries_do_not_grow_with_the_number_of_countries(client):
    before = query_count(client, "/maps/")
    for n in range(12):  # countries in no score set: each still a row of the map's names
        Country.objects.create(iso2=f"0{n:X}", iso3=f"ZZ{chr(65 + n)}", name=f"Testland {n}")
    after = query_count(client, "/maps/")  # a saved country changes the state: a fresh render
    assert before == after <= 8
