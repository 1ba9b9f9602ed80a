"""Regional and income-group aggregates: their own rows in the API and their own pages, with
means, spread and coverage that match the countries' scores."""

import statistics

import pytest

from countries.models import Country
from countries.selectors import score_set_resolve
from tests.countries.test_pages import query_count

pytestmark = pytest.mark.django_db


def scored(**members) -> list:
    return list(
        score_set_resolve()
        .scores.filter(**{f"country__{k}": v for k, v in members.items()})
        .exclude(aimai=None)
        .values_list("aimai", flat=True)
    )


def test_the_api_gives_each_region_and_income_group_its_own_row(client):
    body = client.get("/api/v1/aggregates/").json()
    assert body["score_set"]["digest"] == score_set_resolve().digest
    rows = {(r["kind"], r["slug"]): r for r in body["results"]}
    assert body["count"] == len(rows)
    assert {slug for kind, slug in rows if kind == "region"} == {
        "africa",
        "americas",
        "asia",
        "europe",
        "oceania",
    }
    assert ("income_group", "lower-middle") in rows
    assert all(r["aggregate"] is True for r in body["results"])
    africa = rows[("region", "africa")]
    aimai = scored(region="Africa")
    assert africa["members"] == Country.objects.filter(region="Africa").count()
    assert africa["scored"] == len(aimai) > 40
    assert africa["coverage"] == pytest.approx(len(aimai) / africa["members"])
    assert africa["aimai"] == pytest.approx(statistics.fmean(aimai))
    assert africa["aimai_min"] == pytest.approx(min(aimai))
    assert africa["aimai_max"] == pytest.approx(max(aimai))
    assert africa["aimai_sd"] == pytest.approx(statistics.pstdev(aimai))
    assert "KEN" in africa["countries"]
    assert africa["url"] == "/groups/regions/africa/"
    low = rows[("income_group", "low")]
    assert low["aimai"] == pytest.approx(statistics.fmean(scored(income_group="low")))


def test_the_api_keeps_one_kind_and_refuses_what_it_does_not_know(client):
    regions = client.get("/api/v1/aggregates/", {"kind": "regions"}).json()["results"]
    assert {r["kind"] for r in regions} == {"region"}
    wrong = client.get("/api/v1/aggregates/", {"kind": "planets"})
    assert wrong.status_code == 400
    assert "kind" in wrong.json()["fields"]
    assert client.get("/api/v1/aggregates/", {"colour": "red"}).status_code == 400
    missing = "0" * 64
    assert client.get("/api/v1/aggregates/", {"score_set": missing}).status_code == 404


def test_the_aggregates_of_an_older_score_set_are_its_own(client):
    older = client.get("/api/v1/aggregates/", {"methodology": "aimai-bridgers"}).json()
    assert older["score_set"]["methodology"] == "aimai-bridgers"


def test_the_list_page_shows_every_group_with_its_coverage(client):
    html = client.get("/groups/").content.decode()
    for slug in ("africa", "americas", "asia", "europe", "oceania"):
        assert f'href="/groups/regions/{slug}/"' in html
    assert 'href="/groups/income-groups/high/"' in html
    africa = Country.objects.filter(region="Africa").count()
    assert f"{len(scored(region='Africa'))} of {africa}" in html
    assert "aggregate" in html


def test_a_group_page_shows_its_means_spread_coverage_and_members(client):
    html = client.get("/groups/regions/oceania/").content.decode()
    aimai = scored(region="Oceania")
    members = Country.objects.filter(region="Oceania")
    assert f"{len(aimai)} of {members.count()} members scored" in html
    assert f"{statistics.fmean(aimai):.1f}" in html
    assert f"from {min(aimai):.1f} to {max(aimai):.1f}" in html
    for country in members:
        assert f'href="/countries/{country.iso3}/"' in html


def test_a_country_page_links_to_its_groups(client):
    html = client.get("/countries/KEN/").content.decode()
    assert 'href="/groups/regions/africa/"' in html
    kenya = Country.objects.get(iso3="KEN")
    assert f'href="/groups/income-groups/{kenya.income_group.replace("_", "-")}/"' in html


@pytest.mark.parametrize("path", ["/groups/regions/atlantis/", "/groups/planets/mars/"])
def test_an_unknown_group_is_a_404(client, path):
    response = client.get(path)
    assert response.status_code == 404


def test_group_pages_queries_do_not_grow_with_the_number_of_countries(client):
    client.get("/api/v1/aggregates/")  # the score set's rows are cached under its digest
    small = query_count(client, "/groups/regions/oceania/")
    large = query_count(client, "/groups/regions/africa/")
    income = query_count(client, "/groups/income-groups/high/")
    # the headline, its current score set and the group's members
    assert small == large == income <= 3
    assert query_count(client, "/groups/") <= 4
