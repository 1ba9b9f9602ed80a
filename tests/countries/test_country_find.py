"""The country search: names and ISO codes, whatever the case and accents; one match opens the
country, several are listed, none says so with the closest names; over-long input is refused;
the form is on the home page and the countries list and works without script."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from countries.country_find import QUERY_MAX, Candidate, country_find, fold
from tests.queries import page_reads

CANDIDATES = [
    Candidate("KEN", "KE", "Kenya", "Republic of Kenya"),
    Candidate("TUR", "TR", "Türkiye", "Republic of Türkiye"),
    Candidate("CIV", "CI", "Côte d'Ivoire", "Republic of Côte d'Ivoire"),
    Candidate("NER", "NE", "Niger", "Republic of the Niger"),
    Candidate("NGA", "NG", "Nigeria", "Federal Republic of Nigeria"),
    Candidate("PRK", "KP", "North Korea", "Democratic People's Republic of Korea"),
    Candidate("KOR", "KR", "South Korea", "Korea, Republic of"),
]


def codes(result) -> list[str]:
    return [c.iso3 for c in result.matches]


def test_folding_drops_case_accents_and_punctuation():
    assert fold("  Türkiye ") == "turkiye"
    assert fold("CÔTE D’IVOIRE") == "cote d ivoire"
    assert fold("St. Lucia") == "st lucia"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("turkiye", "TUR"),
        ("TÜRKIYE", "TUR"),
        ("ken", "KEN"),  # its ISO3 code
        ("KE", "KEN"),  # its ISO2 code
        ("keny", "KEN"),  # part of its name
        ("cote d'ivoire", "CIV"),
        ("Republic of Kenya", "KEN"),  # its official name
        ("niger", "NER"),  # a whole name names one country, though Nigeria contains it
    ],
)
def test_a_query_that_names_one_country_finds_it(query, found):
    assert country_find(query, CANDIDATES).unique.iso3 == found


def test_several_matches_are_listed_names_starting_with_the_query_first():
    result = country_find("korea", CANDIDATES)
    assert result.unique is None
    assert codes(result) == ["PRK", "KOR"]  # both names end in it: by name
    assert codes(country_find("nig", CANDIDATES)) == ["NER", "NGA"]
    # "rea": South Korea's and North Korea's names contain it, not at a word's start
    assert set(codes(country_find("rea", CANDIDATES))) == {"PRK", "KOR"}


def test_no_match_suggests_the_closest_names():
    result = country_find("kenia", CANDIDATES)
    assert result.matches == []
    assert [c.iso3 for c in result.suggestions] == ["KEN"]
    assert country_find("zzzz", CANDIDATES).suggestions == []
    assert country_find("   ", CANDIDATES).query == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "iso3"),
    [("turkiye", "TUR"), ("ken", "KEN"), ("Kenya", "KEN"), ("  cote d'ivoire ", "CIV")],
)
def test_one_match_redirects_to_the_country_page(client, query, iso3):
    response = client.get("/countries/find/", {"q": query})
    assert response.status_code == 302
    assert response["Location"] == f"/countries/{iso3}/"


@pytest.mark.django_db
def test_several_matches_are_listed_with_links(client):
    response = client.get("/countries/find/", {"q": "korea"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 countries match “korea”" in html
    assert re.findall(r'<li><a href="/countries/([A-Z]{3})/">', html) == ["PRK", "KOR"]


@pytest.mark.django_db
def test_no_match_is_a_200_page_with_suggestions(client):
    response = client.get("/countries/find/", {"q": "kenia"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No country matches “kenia”" in html
    assert 'id="find-suggestions"' in html
    assert '<a href="/countries/KEN/">Kenya</a>' in html
    nothing = client.get("/countries/find/", {"q": "qqqqqq"}).content.decode()
    assert "No country matches “qqqqqq”" in nothing
    assert "Try another spelling" in nothing


@pytest.mark.django_db
def test_an_empty_query_asks_for_one(client):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get("/countries/find/", params)
        assert response.status_code == 200
        assert "Type a country’s name or its ISO code" in response.content.decode()


@pytest.mark.django_db
def test_over_long_input_is_refused_with_a_message(client):
    response = client.get("/countries/find/", {"q": "k" * (QUERY_MAX + 1)})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"at most {QUERY_MAX} characters" in html
    assert 'role="alert"' in html
    # the longest allowed is an ordinary search
    assert client.get("/countries/find/", {"q": "k" * QUERY_MAX}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["\x00", "ke\x00n", "é\u202e", "%", "'\"<>", "_"])
def test_odd_input_never_fails(client, query):
    response = client.get("/countries/find/", {"q": query})
    assert response.status_code in (200, 302, 400)
    assert "<>" not in response.content.decode().replace("&lt;&gt;", "")


@pytest.mark.django_db
def test_the_search_costs_one_query_whatever_it_finds(client):
    counts = []
    for query in ("korea", "kenia", "a", "ken"):
        with CaptureQueriesContext(connection) as queries:
            client.get("/countries/find/", {"q": query})
        counts.append(len(page_reads(queries)))
    assert counts == [1, 1, 1, 1]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/countries/"])
def test_the_form_is_on_the_home_page_and_the_countries_list(client, path):
    html = client.get(path).content.decode()
    form = re.search(
        r'<form method="get" action="/countries/find/"[^>]*role="search".*?</form>', html, re.S
    )
    assert form
    assert 'name="q"' in form.group(0)
    assert 'maxlength="100"' in form.group(0)
    assert 'list="country-names"' in form.group(0)
    # suggestions as a datalist, no script: every scored country's name is offered
    assert '<datalist id="country-names">' in html
    assert '<option value="Kenya"></option>' in html
    assert '<option value="Türkiye"></option>' in html
