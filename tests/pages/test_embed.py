"""Every public chart as an embed page: the one route other sites may frame, in the state its
page's URL gives; bad states refused; and the Share menu of each chart on the public pages."""

import html as htmllib
import json
import re

import pytest

from countries.models import ScoreSet
from tests.countries.test_pages import query_count

pytestmark = pytest.mark.django_db

EMBEDS = [
    "/embed/concentration/",
    "/embed/concentration/?sort=aimai",
    "/embed/scatter/",
    "/embed/map/?field=burden",
    "/embed/compare/?countries=KEN,IND,BRA",
]
NOT_FRAMED = ["/", "/compare/?countries=KEN,IND", "/countries/KEN/", "/methodology/"]


def current() -> ScoreSet:
    return ScoreSet.objects.for_methodology("aimai-default").current()


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(d.strip() for d in policy.split(";") if d.strip().startswith("frame-ancestors"))


def spec_of(page: str) -> dict:
    start = page.index('<script id="chart" type="application/json">')
    start = page.index(">", start) + 1
    return json.loads(page[start : page.index("</script>", start)])


@pytest.mark.parametrize("path", EMBEDS)
def test_any_site_may_frame_an_embed_page_fresh_cached_or_unchanged(client, path):
    fresh = client.get(path)
    cached = client.get(path)
    unchanged = client.get(path, HTTP_IF_NONE_MATCH=fresh["ETag"])
    assert (fresh.status_code, cached.status_code, unchanged.status_code) == (200, 200, 304)
    assert cached.content == fresh.content
    for response in (fresh, cached, unchanged):
        assert frame_ancestors(response) == "frame-ancestors *"
        assert "X-Frame-Options" not in response
    # the rest of the policy is the site's: no inline script or style
    assert "script-src 'self'" in fresh["Content-Security-Policy"]
    assert "unsafe-inline" not in fresh["Content-Security-Policy"]


@pytest.mark.parametrize("path", NOT_FRAMED)
def test_every_other_page_refuses_to_be_framed(client, path):
    for response in (client.get(path), client.get(path)):
        assert response.status_code == 200
        assert frame_ancestors(response) == "frame-ancestors 'none'"
        assert response["X-Frame-Options"] == "DENY"


def test_an_embed_page_holds_the_chart_its_source_licence_and_a_way_back(client):
    page = client.get("/embed/compare/?countries=KEN,IND,BRA").content.decode()
    assert '<h1 id="embed-title">Countries compared</h1>' in page
    assert "CC BY 4.0" in page
    assert "https://creativecommons.org/licenses/by/4.0/" in page
    assert current().digest[:12] in page
    assert current().release.slug in page
    assert 'href="/compare/?countries=KEN,IND,BRA"' in page
    assert f"/charts/compare.svg?score_set={current().digest}&amp;countries=KEN,IND,BRA" in page
    assert "site-header" not in page  # the chart alone, not the site's navigation
    spec = spec_of(page)
    assert [v["name"] for v in spec["data"]["values"]][:3] == ["Kenya", "India", "Brazil"]
    assert '"href"' not in json.dumps(spec)  # a mark in someone else's page links nowhere
    sorted_page = client.get("/embed/concentration/?sort=aimai").content.decode()
    assert spec_of(sorted_page)["vconcat"][0]["encoding"]["x"]["sort"]["field"] == "aimai"
    assert 'href="/?sort=aimai#concentration-title"' in sorted_page
    the_map = client.get("/embed/map/?field=burden").content.decode()
    assert spec_of(the_map)["encoding"]["color"]["field"] == "burden"
    assert "Burden around the world" in the_map


def test_unknown_chart_404_and_bad_state_400(client):
    assert client.get("/embed/pie/").status_code == 404
    assert "No chart “pie”" in client.get("/embed/pie/").content.decode()
    for path, message in [
        ("/embed/concentration/?sort=size", "sort is one of capability, aimai"),
        ("/embed/map/?field=gdp", "field is one of"),
        ("/embed/compare/", "Name the countries to compare"),
        ("/embed/compare/?countries=KEN,XXQ", "Unknown country code: XXQ"),
        ("/embed/compare/?countries=K3N", "Not a country code: K3N"),
    ]:
        response = client.get(path)
        assert response.status_code == 400, path
        assert message in htmllib.unescape(response.content.decode()), path
    assert client.get("/embed/scatter/?methodology=nope").status_code == 404


def test_the_embed_pages_reads_do_not_grow_with_the_number_of_countries(client):
    codes = list(
        current()
        .scores.exclude(aimai=None)
        .order_by("country__iso3")
        .values_list("country__iso3", flat=True)[:12]
    )
    client.get("/embed/scatter/")  # the score set's rows are cached under its digest
    one = query_count(client, "/embed/compare/", {"countries": codes[0]})
    twelve = query_count(client, "/embed/compare/", {"countries": ",".join(codes)})
    assert one == twelve <= 2


def test_each_chart_of_the_overview_has_a_share_menu(client):
    page = client.get("/", {"sort": "aimai", "field": "solidarity"}).content.decode()
    assert page.count('<details class="share"') == 3
    codes = re.findall(r'<textarea id="share-embed-(\w+)"[^>]*>([^<]*)</textarea>', page)
    embeds = {name: htmllib.unescape(code) for name, code in codes}
    assert embeds.keys() == {"concentration", "scatter", "map"}
    assert '/embed/concentration/?sort=aimai"' in embeds["concentration"]
    assert '/embed/map/?field=solidarity"' in embeds["map"]
    for code in embeds.values():
        assert code.startswith('<iframe src="http')
        assert code.endswith("></iframe>")
    assert 'value="http://' in page
    assert "/?sort=aimai#concentration-title" in page
    assert '/charts/map.png?field=solidarity"' in page
    compared = client.get("/compare/", {"countries": "KEN,IND"}).content.decode()
    assert compared.count('<details class="share"') == 1
    assert "/embed/compare/?countries=KEN,IND&quot;" in compared
    assert '/compare/data.csv?countries=KEN,IND"' in compared
    # the embed code's link is the embed page itself, and it answers
    src = re.search(r'src="http://[^/]+([^"]+)"', embeds["scatter"]).group(1)
    assert client.get(htmllib.unescape(src)).status_code == 200
