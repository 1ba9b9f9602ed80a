"""Countries side by side: the URL is the comparison, bad codes are named, the reads do not grow
with the number of countries, and its chart and numbers come as files."""

import csv
import io
import re

import pytest

from countries.compare import MAX_COUNTRIES
from countries.models import ScoreSet
from countries.public_index import parsed_of
from countries.selectors import indicator_names
from tests.countries.test_pages import query_count

pytestmark = pytest.mark.django_db


def current() -> ScoreSet:
    return ScoreSet.objects.for_methodology("aimai-default").current()


def scored_codes(n: int) -> list[str]:
    found = current().scores.exclude(aimai=None).order_by("country__iso3")
    return list(found.values_list("country__iso3", flat=True)[:n])


def header_names(html: str) -> list[str]:
    head = html[html.index('<table class="data" id="compare">') :]
    head = head[head.index("<thead>") : head.index("</thead>")]
    return re.findall(r'<th scope="col" class="num">([^<]+)</th>', head)


def test_three_countries_side_by_side_with_their_numbers(client):
    response = client.get("/compare/", {"countries": "KEN,IND,BRA"})
    assert response.status_code == 200
    html = response.content.decode()
    assert header_names(html) == ["Kenya", "India", "Brazil"]
    names = indicator_names()
    scores = {s.country.iso3: s for s in current().scores.select_related("country")}
    aimai_row = re.search(r'<th scope="row">AIMAI</th>(.*?)</tr>', html).group(1)
    shown = re.findall(r'<td class="num">([^<]+)</td>', aimai_row)
    assert shown == [f"{scores[c].aimai:.1f}" for c in ("KEN", "IND", "BRA")]
    # every indicator of the methodology has its row, under its dimension
    assert html.count("indicators</th></tr>") == 3
    for spec in parsed_of(current()).indicators():
        assert html.count(f"{names[spec.code]}") >= 1
    assert "Compare countries" in html
    assert current().digest in html
    # the chart names the countries in the order chosen, drawn by the server first
    assert "/charts/compare.svg?score_set=" in html
    assert 'id="compare-chart" type="application/json"' in html


def test_codes_are_read_in_any_case_each_once(client):
    html = client.get("/compare/?countries=ken&countries=ind,KEN").content.decode()
    assert header_names(html) == ["Kenya", "India"]


def test_each_country_has_a_link_that_removes_it(client):
    html = client.get("/compare/", {"countries": "KEN,IND,BRA"}).content.decode()
    assert 'href="?countries=IND,BRA" aria-label="Remove Kenya"' in html
    assert 'href="?countries=KEN,BRA" aria-label="Remove India"' in html
    assert 'href="?countries=KEN,IND" aria-label="Remove Brazil"' in html


def test_adding_by_name_or_code_redirects_to_the_comparisons_own_url(client):
    by_name = client.get("/compare/", {"countries": "KEN", "add": "india"})
    assert by_name.status_code == 302
    assert by_name["Location"] == "/compare/?countries=KEN,IND"
    by_code = client.get("/compare/", {"countries": "KEN,IND", "add": "bra"})
    assert by_code["Location"] == "/compare/?countries=KEN,IND,BRA"
    first = client.get("/compare/", {"add": "Kenya"})
    assert first["Location"] == "/compare/?countries=KEN"
    again = client.get("/compare/", {"countries": "KEN", "add": "Kenya"})
    assert again["Location"] == "/compare/?countries=KEN"


def test_a_name_that_is_no_country_is_a_400_that_says_so(client):
    response = client.get("/compare/", {"countries": "KEN", "add": "Atlantis"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "No country called “Atlantis”" in html
    assert header_names(html) == ["Kenya"]  # the comparison so far is still there


def test_unknown_codes_are_a_400_naming_them(client):
    response = client.get("/compare/", {"countries": "KEN,XXQ,QQX"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown country codes: XXQ, QQX." in html
    assert '<a href="?countries=KEN">Compare KEN</a>' in html
    malformed = client.get("/compare/", {"countries": "KEN,K3N"})
    assert malformed.status_code == 400
    assert "Not a country code: K3N" in malformed.content.decode()


def test_at_most_the_maximum_of_countries(client):
    codes = scored_codes(MAX_COUNTRIES + 1)
    assert MAX_COUNTRIES >= 12
    full = client.get("/compare/", {"countries": ",".join(codes[:MAX_COUNTRIES])})
    assert full.status_code == 200
    assert len(header_names(full.content.decode())) == MAX_COUNTRIES
    assert "The comparison is full" in full.content.decode()
    too_many = client.get("/compare/", {"countries": ",".join(codes)})
    assert too_many.status_code == 400
    assert f"a comparison holds at most {MAX_COUNTRIES}" in too_many.content.decode()
    adding = client.get(
        "/compare/", {"countries": ",".join(codes[:MAX_COUNTRIES]), "add": codes[-1]}
    )
    assert adding.status_code == 400


def test_the_page_reads_do_not_grow_with_the_number_of_countries(client):
    codes = scored_codes(MAX_COUNTRIES)
    client.get("/compare/")  # the score set's rows are cached under its digest
    one = query_count(client, "/compare/", {"countries": codes[0]})
    three = query_count(client, "/compare/", {"countries": ",".join(codes[:3])})
    twelve = query_count(client, "/compare/", {"countries": ",".join(codes)})
    # the score set, the chosen countries' values, the indicators' names, their trends
    assert one == three == twelve <= 5


def test_navigation_and_a_country_page_link_to_it(client):
    assert 'href="/compare/"' in client.get("/").content.decode()
    kenya = client.get("/countries/KEN/").content.decode()
    assert 'href="/compare/?countries=KEN"' in kenya


def test_the_chart_as_files(client):
    svg = client.get("/charts/compare.svg", {"countries": "KEN,IND"})
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert "Kenya" in svg.content.decode()
    assert "India" in svg.content.decode()
    spec = client.get("/charts/compare.json", {"countries": "KEN,IND"}).json()
    assert {v["country"] for v in spec["data"]["values"]} == {"KEN", "IND"}
    assert current().digest[:12] in spec["title"]["text"]
    unknown = client.get("/charts/compare.svg", {"countries": "KEN,XXQ"})
    assert unknown.status_code == 400
    assert "XXQ" in unknown.content.decode()
    assert client.get("/charts/compare.svg").status_code == 400
    named = client.get("/charts/compare.svg", {"countries": "KEN", "score_set": current().digest})
    assert named["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_numbers_as_csv_and_json(client):
    response = client.get("/compare/data.csv", {"countries": "KEN,IND"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["country"] for r in rows] == ["KEN", "IND"]
    kenya = current().scores.get(country__iso3="KEN")
    assert float(rows[0]["aimai"]) == kenya.aimai
    assert rows[0]["score_set"] == current().digest
    data = client.get("/compare/data.json", {"countries": "KEN"}).json()
    every = {spec.code for spec in parsed_of(current()).indicators()}
    assert data["countries"][0]["indicators"].keys() == every
    for code, cell in data["countries"][0]["indicators"].items():
        assert cell["score"] == kenya.normalised.get(code)
    assert client.get("/compare/data.csv", {"countries": "XXQ"}).status_code == 400


def test_the_files_carry_their_licence_and_citation(client):
    score_set = current()
    cite = f"/score-sets/{score_set.digest}/"
    svg = client.get("/charts/compare.svg", {"countries": "KEN,IND"}).content.decode()
    assert "CC BY 4.0" in svg
    assert cite in svg
    table = list(
        csv.DictReader(
            io.StringIO(client.get("/compare/data.csv", {"countries": "KEN"}).content.decode())
        )
    )
    assert table[0]["licence"] == "CC BY 4.0"
    assert table[0]["citation"].endswith(cite)
    data = client.get("/compare/data.json", {"countries": "KEN"}).json()
    assert data["licence"]["name"] == "CC BY 4.0"
    assert data["citation"]["url"].endswith(cite)
