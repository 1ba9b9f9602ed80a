"""The charts' phone layouts: a ranked list for the concentration chart, a map as high as the
world is, a country's contributions with each name above its bar; as files and in the pages."""

import json
import re

import pytest

from countries import narrow_charts
from countries.models import ScoreSet
from countries.selectors import score_explain, score_set_rows

pytestmark = pytest.mark.django_db


def scored_rows() -> list[dict]:
    score_set = ScoreSet.objects.for_methodology("aimai-default").current()
    return [row for row in score_set_rows(score_set) if row["aimai"] is not None]


def test_the_ranked_list_reads_downwards_in_the_order_asked_for():
    rows = scored_rows()
    spec = narrow_charts.concentration_narrow(rows, "aimai")
    capability, aimai = spec["hconcat"]
    for part in (capability, aimai):
        assert part["encoding"]["y"]["field"] == "name"  # a line per country, not a column
        assert part["encoding"]["y"]["sort"] == {"field": "aimai", "order": "descending"}
        assert part["height"] == {"step": narrow_charts.ROW}
    assert capability["encoding"]["x"]["field"] == "capability"
    assert aimai["encoding"]["x"]["field"] == "aimai"
    assert aimai["encoding"]["y"]["axis"] is None  # the names once, on the left
    assert len(spec["data"]["values"]) == len(rows)  # every scored country, not the first 20
    assert set(spec["data"]["values"][0]) == set(narrow_charts.LIST_FIELDS)


def test_the_narrow_map_is_as_high_as_the_world_and_keeps_its_legend_below():
    spec = narrow_charts.map_narrow(scored_rows(), "capability")
    assert spec["height"] == round(spec["width"] * narrow_charts.MAP_ASPECT)
    assert spec["usermeta"] == {"aspect": narrow_charts.MAP_ASPECT}
    assert spec["encoding"]["color"]["field"] == "capability"
    assert spec["encoding"]["color"]["legend"]["orient"] == "bottom"


def test_the_narrow_contributions_put_names_above_bars_largest_first():
    score_set = ScoreSet.objects.for_methodology("aimai-default").current()
    explanation = score_explain(score_set=score_set, iso3="KEN")
    spec = narrow_charts.contributions_narrow(explanation.rows, "Kenya")
    values = [v["aimai"] for v in spec["data"]["values"]]
    assert values == sorted(values, reverse=True)
    bars, names = spec["layer"]
    assert bars["mark"]["type"] == "bar"
    assert names["mark"]["type"] == "text"
    assert names["encoding"]["text"] == {"field": "name"}
    assert spec["encoding"]["y"]["axis"] is None  # no axis of names eating the width


@pytest.mark.parametrize("name", ["concentration", "map"])
def test_a_chart_file_in_the_narrow_layout(client, name):
    wide = client.get(f"/charts/{name}.svg")
    narrow = client.get(f"/charts/{name}.svg", {"layout": "narrow"})
    assert narrow.status_code == 200
    assert narrow["Content-Type"] == "image/svg+xml"
    assert narrow.content != wide.content
    assert narrow["ETag"] != wide["ETag"]
    width = float(re.search(rb'<svg[^>]* width="([\d.]+)"', narrow.content).group(1))
    assert width < 420  # drawn for a phone
    spec = json.loads(client.get(f"/charts/{name}.json", {"layout": "narrow"}).content)
    assert "hconcat" in spec if name == "concentration" else spec["usermeta"]
    # any other layout is the wide one, under the wide one's key
    other = client.get(f"/charts/{name}.svg", {"layout": "sideways"})
    assert other["ETag"] == wide["ETag"]


def test_the_scatter_has_one_layout():
    assert narrow_charts.chart_layout("scatter", {"layout": "narrow"}) == {}


def test_the_pages_carry_both_layouts_and_the_phone_stills(client):
    html = client.get("/").content.decode()
    for chart in ("concentration", "map"):
        assert f'data-spec-narrow="spec-{chart}-narrow"' in html
        assert re.search(
            rf'<source media="\(max-width: 40rem\)" srcset="/charts/{chart}\.svg\?[^"]*'
            r'layout=narrow"',
            html,
        )
        spec = re.search(
            rf'<script id="{chart}-narrow" type="application/json">(.*?)</script>', html, re.S
        )
        assert json.loads(spec.group(1))["$schema"].startswith("https://vega.github.io/")
    kenya = client.get("/countries/KEN/").content.decode()
    assert 'data-spec-narrow="spec-explain-narrow"' in kenya
    assert '<script id="explain-narrow" type="application/json">' in kenya
