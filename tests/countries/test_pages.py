import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from countries.current import current_pointer
from countries.models import Country, DataRelease, Observation
from tests.queries import page_reads

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[str]:
    """ISO3 codes of the countries listed in the table, in order."""
    return re.findall(r"<td class=\"col-low\"><code>([A-Z]{3})</code></td>", html)


def test_country_list_shows_every_country(client):
    response = client.get("/countries/")
    assert response.status_code == 200
    assert len(rows(response.content.decode())) == 250
    assert "250 countries shown" in response.content.decode()


def test_filter_by_region_and_income_group(client):
    html = client.get("/countries/", {"region": "Africa", "income_group": "low"}).content.decode()
    expected = Country.objects.filter(region="Africa", income_group="low").order_by("name")
    assert rows(html) == [c.iso3 for c in expected]
    assert "KEN" not in rows(html)  # lower middle income
    assert "ETH" not in rows(html)  # not classified


def test_filter_by_has_data(client):
    with_data = set(Observation.objects.values_list("country__iso3", flat=True).distinct())
    yes = rows(client.get("/countries/", {"has_data": "true"}).content.decode())
    no = rows(client.get("/countries/", {"has_data": "false"}).content.decode())
    assert set(yes) == with_data
    assert set(no) == set(Country.objects.values_list("iso3", flat=True)) - with_data
    assert "BVT" in no


def test_a_malformed_filter_value_gets_a_clear_message(client):
    response = client.get("/countries/", {"has_data": "maybe", "region": "Atlantis"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Some filters are not valid" in html
    assert "Select a valid choice. maybe is not one of the available choices." in html
    assert "Select a valid choice. Atlantis is not one of the available choices." in html
    assert rows(html) == []


def test_country_page_lists_every_observation_with_year_and_source(client):
    response = client.get("/countries/KEN/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Kenya" in html
    assert "Sub-Saharan Africa" in html
    assert "Lower middle income" in html
    kenya = Observation.objects.filter(country__iso3="KEN", release=DataRelease.objects.current())
    assert kenya.count() == len(re.findall(r'class="source-link"', html)) > 0
    for obs in kenya:
        assert f'href="{obs.source_url}"' in html
    assert "<td>2023</td>" in html


def test_country_without_data_says_so(client):
    html = client.get("/countries/BVT/").content.decode()
    assert "No observation for Bouvet Island in the current data release" in html


def test_lowercase_code_redirects_to_the_canonical_page(client):
    response = client.get("/countries/ken/")
    assert response.status_code == 301
    assert response["Location"] == "/countries/KEN/"


@pytest.mark.parametrize("path", ["/countries/ZZZ/", "/countries/KENYA/", "/countries/K%20N/"])
def test_unknown_country_code_gives_a_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def query_count(client, path: str, params: dict | None = None) -> int:
    """The queries of a page's render: its first request, once the current pointer (read once
    per change of the index, then cached) is known."""
    current_pointer()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params or {}).status_code == 200
    return len(page_reads(queries))


def test_list_page_queries_do_not_grow_with_the_number_of_countries(client):
    # the index column's rows are cached under the score set's digest; each page below is a
    # first request (a page is rendered once per state)
    client.get("/countries/", {"region": "Europe"})
    few = query_count(client, "/countries/", {"region": "Oceania", "has_data": "true"})
    oceania = query_count(client, "/countries/", {"region": "Oceania"})
    everything = query_count(client, "/countries/")
    # the index column adds two: the headline methodology and its current score set
    assert few == oceania == everything <= 4


def test_country_page_queries_do_not_grow_with_the_number_of_observations(client):
    current = Observation.objects.filter(release=DataRelease.objects.current())
    assert current.filter(country__iso3="USA").count() > 40
    assert current.filter(country__iso3="TON").count() < 15
    # both fully scored (explanation, peers, history); the USA has far more observations;
    # two queries more than the index needs: the country's compacts and its corrections
    assert query_count(client, "/countries/USA/") == query_count(client, "/countries/TON/") <= 14


@pytest.mark.parametrize("path", ["/countries/%00/", "/countries/A%00B/"])
def test_nul_bytes_in_a_code_give_404_not_500(client, path):
    assert client.get(path).status_code == 404


def test_has_data_before_any_release_is_published(client):
    # given no published release at all (purged inside this test's transaction)
    from tests.conftest import purge_frozen_data

    purge_frozen_data()
    # then no country has data
    assert rows(client.get("/countries/", {"has_data": "true"}).content.decode()) == []
    assert len(rows(client.get("/countries/", {"has_data": "false"}).content.decode())) == 250
