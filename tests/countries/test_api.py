import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from countries.models import Country, DataRelease, Observation
from countries.services import data_release_digest
from tests.queries import page_reads

pytestmark = pytest.mark.django_db


def test_list_is_paginated_and_filterable(client):
    body = client.get("/api/v1/countries/").json()
    assert body["count"] == 250
    assert len(body["results"]) == 100
    europe = client.get("/api/v1/countries/", {"region": "Europe", "limit": 500}).json()
    assert europe["count"] == Country.objects.filter(region="Europe").count()
    assert {c["region"] for c in europe["results"]} == {"Europe"}


def test_has_data_and_income_group_filters(client):
    with_data = set(Observation.objects.values_list("country__iso3", flat=True).distinct())
    body = client.get("/api/v1/countries/", {"has_data": "true", "limit": 500}).json()
    assert {c["iso3"] for c in body["results"]} == with_data
    assert all(c["has_data"] and c["observation_count"] > 0 for c in body["results"])
    low = client.get("/api/v1/countries/", {"income_group": "low", "limit": 500}).json()
    assert low["count"] == Country.objects.filter(income_group="low").count() > 0


def test_malformed_filter_gives_400_with_one_error_body(client):
    response = client.get("/api/v1/countries/", {"has_data": "maybe"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "has_data: Select a valid choice. maybe is not one of the available choices.",
        "fields": {
            "has_data": ["Select a valid choice. maybe is not one of the available choices."]
        },
    }


def test_detail_has_every_observation_with_its_source(client):
    body = client.get("/api/v1/countries/KEN/").json()
    expected = Observation.objects.filter(
        country__iso3="KEN", release=DataRelease.objects.current()
    )
    assert body["name"] == "Kenya"
    assert len(body["observations"]) == expected.count() == body["observation_count"]
    fsi = next(o for o in body["observations"] if o["indicator"]["code"] == "fsi_total")
    assert fsi == {
        "indicator": {
            "code": "fsi_total",
            "name": "Fragile States Index",
            "dimension": "burden",
            "direction": "higher_is_more",
            "unit": "score 0-120",
        },
        "year": 2023,
        "value": 87.8,
        "source_url": expected.get(indicator__code="fsi_total").source_url,
        "note": expected.get(indicator__code="fsi_total").note,
    }
    release = DataRelease.objects.current()
    assert body["release"]["content_digest"] == release.content_digest


def test_detail_accepts_lowercase_and_404s_unknown_codes(client):
    assert client.get("/api/v1/countries/ken/").json()["iso3"] == "KEN"
    response = client.get("/api/v1/countries/ZZZ/")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "No Country matches the given query.",
        "fields": {},
    }


def test_api_is_read_only(client):
    assert client.post("/api/v1/countries/", {}).status_code in (401, 403)
    assert client.delete("/api/v1/countries/KEN/").status_code in (401, 403)


def test_indicators_and_releases(client):
    indicators = client.get("/api/v1/indicators/", {"dimension": "solidarity"}).json()
    assert {i["dimension"] for i in indicators["results"]} == {"solidarity"}
    oda = client.get("/api/v1/indicators/oda_gni/").json()
    assert oda["unit"] == "% of GNI"
    assert oda["source_url"].startswith("https://")
    release = client.get("/api/v1/releases/demo-2026-11/").json()
    assert release["content_digest"] == data_release_digest(
        release=DataRelease.objects.get(slug="demo-2026-11")
    )
    assert release["observation_count"] == 2531


def count_queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params or {}).status_code == 200
    return len(page_reads(queries))


def test_query_counts_do_not_grow_with_the_data(client):
    small = count_queries(client, "/api/v1/countries/", {"region": "Oceania"})
    large = count_queries(client, "/api/v1/countries/", {"limit": 500})
    assert small == large <= 3
    assert (
        count_queries(client, "/api/v1/countries/USA/")
        == count_queries(client, "/api/v1/countries/BVT/")
        <= 3
    )


@pytest.mark.parametrize(
    "path", ["/api/v1/indicators/a%00b/", "/api/v1/releases/a%00/", "/api/v1/countries/KENYA/"]
)
def test_bad_identifiers_give_the_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "abc"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "100000"}, "limit"),
        ({"ordering": "bogus"}, "ordering"),
    ],
)
def test_bad_paging_and_ordering_are_errors_not_ignored(client, params, field):
    response = client.get("/api/v1/countries/", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_pages_never_overlap_when_the_ordering_has_ties(client):
    seen = []
    for offset in range(0, 250, 50):
        body = client.get(
            "/api/v1/countries/", {"ordering": "observation_count", "limit": 50, "offset": offset}
        ).json()
        seen += [c["iso3"] for c in body["results"]]
    assert len(seen) == len(set(seen)) == 250
