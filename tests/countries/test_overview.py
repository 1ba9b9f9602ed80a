"""The index overview and its downloads: charts from the score set, files that round-trip."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from openpyxl import load_workbook

from countries import charts
from countries.models import Observation, ScoreSet
from tests.countries.test_pages import query_count

pytestmark = pytest.mark.django_db


def current(slug: str = "aimai-default") -> ScoreSet:
    return ScoreSet.objects.for_methodology(slug).current()


def spec_of(html: str, name: str) -> dict:
    start = html.index(f'<script id="{name}" type="application/json">') + len(
        f'<script id="{name}" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_the_overview_embeds_one_mark_of_data_per_scored_country(client):
    html = client.get("/").content.decode()
    assert current().digest in html
    assert "compass for cooperation, not a league table" in html
    concentration = spec_of(html, "concentration")
    scored = current().scores.exclude(aimai=None).count()
    assert scored >= 170
    assert len(concentration["data"]["values"]) == scored
    top = [r for r in concentration["data"]["values"] if r["concentration"] == "Top by capability"]
    assert len(top) == 15
    assert {r["country"] for r in spec_of(html, "scatter")["data"]["values"]} >= {"USA", "KEN"}
    assert 'data-library="/static/vendor/vega.js"' in html
    assert "cdn" not in html.lower()


def test_sorting_the_map_field_and_the_methodology_have_their_own_urls(client):
    by_aimai = spec_of(client.get("/", {"sort": "aimai"}).content.decode(), "concentration")
    assert by_aimai["vconcat"][0]["encoding"]["x"]["sort"]["field"] == "aimai"
    burden = spec_of(client.get("/", {"field": "burden"}).content.decode(), "map")
    assert burden["encoding"]["color"]["field"] == "burden"
    bridgers = client.get("/", {"methodology": "aimai-bridgers"}).content.decode()
    assert current("aimai-bridgers").digest in bridgers
    assert client.get("/", {"methodology": "nope"}).status_code == 404


def test_the_table_filters_and_refuses_bad_filters(client):
    html = client.get("/", {"classification": "divider"}).content.decode()
    dividers = current().scores.filter(classification="divider").count()
    assert f"{dividers} countries shown." in html
    assert client.get("/", {"classification": "villain"}).status_code == 400


def test_the_score_downloads_round_trip_to_the_api_numbers(client):
    api = client.get("/api/v1/scores/", {"limit": 500}).json()["results"]
    by_country = {r["country"]: r for r in api}
    response = client.get("/downloads/scores.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert current().digest[:12] in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(api)
    for row in rows:
        expected = by_country[row["country"]]
        for field in ("aimai", "capability", "solidarity", "burden"):
            if expected[field] is None:
                assert row[field] == ""
            else:
                assert float(row[field]) == expected[field]
        assert row["score_set"] == current().digest
        assert row["methodology_version"] == "2.0"
    data = client.get("/downloads/scores.json").json()
    assert data["score_set"]["score_set"] == current().digest
    assert {r["country"]: r["aimai"] for r in data["scores"]} == {
        c: r["aimai"] for c, r in by_country.items()
    }
    book = load_workbook(io.BytesIO(client.get("/downloads/scores.xlsx").content))
    assert book["scores"].max_row == len(api) + 1
    assert dict(book["about"].iter_rows(values_only=True))["score_set"] == current().digest


def test_downloads_answer_a_conditional_get_with_304(client):
    first = client.get("/downloads/scores.csv")
    again = client.get("/downloads/scores.csv", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    observations = client.get("/downloads/observations/demo-2026-11.csv")
    assert observations.status_code == 200
    assert len(observations.content.decode().splitlines()) == 2532  # 2,531 and the header
    cached = client.get(
        "/downloads/observations/demo-2026-11.csv", HTTP_IF_NONE_MATCH=observations["ETag"]
    )
    assert cached.status_code == 304


@pytest.mark.parametrize(
    ("name", "fmt"), [("scatter", "svg"), ("map", "png"), ("concentration", "json")]
)
def test_every_chart_is_a_file_too(client, name, fmt):
    response = client.get(f"/charts/{name}.{fmt}", {"methodology": "aimai-bridgers"})
    assert response.status_code == 200
    if fmt == "svg":
        assert response.content.startswith(b"<svg")
        assert b"AIMAI against capability" in response.content
    elif fmt == "png":
        assert response.content[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert response.json()["$schema"] == charts.SCHEMA


def test_the_vega_bundle_is_a_static_file_built_from_the_package():
    found = finders.find("vendor/vega.js")
    assert found
    assert "window.vegaEmbed=" in Path(found).read_text(encoding="utf-8")


def test_the_overview_uses_a_constant_number_of_queries(client):
    assert query_count(client, "/") <= 12


def test_the_country_page_shows_peers_its_trend_and_its_contribution_chart(client):
    html = client.get("/countries/KEN/").content.decode()
    assert 'id="peers"' in html
    assert html.count('<li><a href="/countries/') >= 5
    assert 'id="trend-table"' in html
    assert "AIMAI demo data, November 2026" in html
    explain = spec_of(html, "explain")
    total = sum(v["aimai"] for v in explain["data"]["values"])
    kenya = current().scores.get(country__iso3="KEN")
    assert total == pytest.approx(kenya.aimai, abs=1e-6)
    assert "takes part in no mutual-aid compact yet" in html


def test_nearest_peers_are_nearest_by_the_three_dimensions():
    from countries.selectors import peers_nearest

    score_set = current()
    kenya = score_set.scores.get(country__iso3="KEN")
    peers = peers_nearest(score_set=score_set, score=kenya)
    gaps = [gap for _, gap in peers]
    assert gaps == sorted(gaps)
    nearest = peers[0][0]
    expected = (
        sum(
            (getattr(nearest, d) - getattr(kenya, d)) ** 2
            for d in ("capability", "solidarity", "burden")
        )
        ** 0.5
    )
    assert gaps[0] == pytest.approx(expected)
    others = [s for s in score_set.scores.exclude(pk=kenya.pk) if s.aimai is not None]
    assert min(
        sum(
            (getattr(o, d) - getattr(kenya, d)) ** 2 for d in ("capability", "solidarity", "burden")
        )
        ** 0.5
        for o in others
    ) == pytest.approx(gaps[0])


def test_score_set_rows_are_cached_under_the_digest(django_assert_num_queries):
    from django.core.cache import cache

    from countries.selectors import score_set_rows, score_set_rows_key

    score_set = current()
    cache.delete(score_set_rows_key(score_set))
    first = score_set_rows(score_set)
    with django_assert_num_queries(0):
        assert score_set_rows(score_set) == first


def test_a_country_downloads_its_own_observations(client):
    html = client.get("/countries/KEN/").content.decode()
    # the page links the current release's file
    assert "/downloads/observations/world-2026.csv?country=KEN" in html
    response = client.get("/downloads/observations/world-2026.csv", {"country": "KEN"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["country"] for r in rows} == {"KEN"}
    kenya = Observation.objects.filter(release__slug="world-2026", country__iso3="KEN")
    assert len(rows) == kenya.count() > 18
    assert "KEN" in response["Content-Disposition"]
    fsi = next(r for r in rows if r["indicator"] == "fsi_total")
    assert float(fsi["value"]) == 87.8


def test_observations_download_as_json_too(client):
    body = client.get("/downloads/observations/demo-2026-11.json", {"country": "KEN"}).json()
    assert body["data_release"]["slug"] == "demo-2026-11"
    assert len(body["observations"]) == 18
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/downloads/observations/demo-2026-11.csv", {"country": "KEN"}
                ).content.decode()
            )
        )
    )
    assert [float(r["value"]) for r in csv_rows] == [o["value"] for o in body["observations"]]


# --- every file carries its source line, its licence and its citation -------------------------


def cited_url(score_set: ScoreSet) -> str:
    from django.conf import settings

    return f"{settings.SITE_URL}/score-sets/{score_set.digest}/"


def test_score_downloads_carry_licence_and_citation_and_stay_machine_readable(client):
    score_set = current()
    rows = list(csv.DictReader(io.StringIO(client.get("/downloads/scores.csv").content.decode())))
    assert {row["licence"] for row in rows} == {"CC BY 4.0"}
    assert {row["citation"] for row in rows} == {cited_url(score_set)}
    float(rows[0]["capability"])  # the columns before them are as they were
    data = client.get("/downloads/scores.json").json()
    assert data["licence"]["name"] == "CC BY 4.0"
    assert data["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["citation"]["url"] == cited_url(score_set)
    assert data["citation"]["bibtex"] == cited_url(score_set) + "cite.bib"
    assert score_set.digest in data["citation"]["text"]
    assert data["source"].startswith("Source: AI4NATIONS, AI Mutual Aid Index")
    book = load_workbook(io.BytesIO(client.get("/downloads/scores.xlsx").content))
    about = dict(book["about"].iter_rows(values_only=True))
    assert about["licence"].startswith("CC BY 4.0")
    assert about["citation_url"] == cited_url(score_set)
    assert score_set.digest in about["citation"]
    assert book.properties.identifier == cited_url(score_set)
    assert book.properties.creator == "AI4NATIONS"
    assert "CC BY 4.0" in book.properties.subject


def test_an_earlier_score_sets_download_cites_that_score_set(client):
    earlier = ScoreSet.objects.exclude(pk=current().pk).first()
    data = client.get("/downloads/scores.json", {"score_set": earlier.digest}).json()
    assert data["citation"]["url"] == cited_url(earlier)


def test_observation_downloads_carry_each_sources_licence_and_the_release_citation(client):
    from django.conf import settings

    from countries.models import Indicator

    licences = dict(Indicator.objects.values_list("code", "licence"))
    url = f"{settings.SITE_URL}/releases/demo-2026-11/"
    response = client.get("/downloads/observations/demo-2026-11.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2531
    for row in rows:
        assert row["licence"] == licences[row["indicator"]]
        assert row["citation"] == url
    data = client.get("/downloads/observations/demo-2026-11.json", {"country": "KEN"}).json()
    assert data["citation"]["url"] == url
    assert data["observations"]
    for row in data["observations"]:
        assert row["licence"] == licences[row["indicator"]]


def png_texts(png: bytes) -> dict[str, str]:
    """The tEXt and iTXt chunks of a PNG, read as the specification lays them out; every
    chunk's CRC checked, and the file ends with IEND."""
    import struct
    import zlib

    found, at, kinds = {}, 8, []
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + data), kind
        kinds.append(kind)
        if kind == b"tEXt":
            key, value = data.split(b"\0", 1)
            found[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, rest = data.split(b"\0", 1)
            found[key.decode("latin-1")] = rest[2:].split(b"\0", 2)[2].decode()
        at += 12 + length
    assert kinds[0] == b"IHDR"
    assert kinds[-1] == b"IEND"
    return found


def test_chart_files_carry_source_licence_and_citation(client):
    score_set = current()
    svg = client.get("/charts/scatter.svg", {"score_set": score_set.digest}).content.decode()
    head = svg[: svg.index("</metadata>")]
    assert "<title>AIMAI against capability" in head
    assert "CC BY 4.0" in head
    assert cited_url(score_set) in head
    assert "Source: AI4NATIONS" in svg[svg.index("</metadata>") :]  # drawn, not only said
    png = client.get("/charts/map.png", {"score_set": score_set.digest}).content
    texts = png_texts(png)
    assert texts["Copyright"].startswith("CC BY 4.0")
    assert cited_url(score_set) in texts["Source"]
    assert score_set.digest in texts["Description"]
    spec = client.get("/charts/concentration.json", {"score_set": score_set.digest}).json()
    assert spec["usermeta"]["licence"].startswith("CC BY 4.0")
    assert score_set.digest in spec["usermeta"]["citation"]
