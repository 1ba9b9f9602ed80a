"""The scores API's lean path: the same answers as the serializers gave, `?country=` and one
country's score, strong ETags on every list, and a 304 for scores without a database query
that never outlives what is current."""

import gzip
import json

import pytest
from rest_framework.renderers import JSONRenderer

from countries.api.serializers import ScoreSerializer, ScoreSetSerializer
from countries.models import Country, Methodology, ScoreSet
from countries.scoring import (
    methodology_headline_set,
    methodology_version_publish,
    methodology_version_save,
)
from countries.selectors import score_rows
from tests.countries.test_scoring import new_version

pytestmark = pytest.mark.django_db


def current(slug: str = "aimai-default") -> ScoreSet:
    return ScoreSet.objects.for_methodology(slug).current()


def serialized(score_set: ScoreSet, rows) -> str:
    """The list as the serializers wrote it before the lean path, as canonical text (the key
    order included)."""
    rows = list(rows)
    body = {
        "score_set": ScoreSetSerializer(score_set).data,
        "count": len(rows),
        "next": None,
        "previous": None,
        "results": ScoreSerializer(rows, many=True).data,
    }
    return json.dumps(json.loads(JSONRenderer().render(body)))


def canonical(response) -> str:
    return json.dumps(json.loads(response.content))


@pytest.fixture
def limits_off_the_database(settings):
    """The rate-limit counts in memory, as in Redis in production (without Redis they are a
    table): what a request then asks of the database is its own."""
    settings.CACHES = {
        **settings.CACHES,
        "limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }


@pytest.fixture
def shared_cache(settings):
    """A cache every process shares (Redis in production; here the database's cache table):
    what is current is kept in it until a change clears it, not for a moment."""
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        return  # shared already
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "aimai_cache",
            "KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        },
    }


# the same answers ----------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["aimai-default", "aimai-bridgers"])
def test_the_list_is_what_the_serializers_wrote_and_the_cached_bytes_are_the_same(client, slug):
    score_set = current(slug)
    expected = serialized(score_set, score_rows(score_set))
    first = client.get("/api/v1/scores/", {"methodology": slug, "limit": 500})
    assert first["Content-Type"] == "application/json"
    assert canonical(first) == expected
    again = client.get("/api/v1/scores/", {"methodology": slug, "limit": 500})  # from the cache
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    # the indented form (written by DRF) says the same
    indented = client.get(
        "/api/v1/scores/",
        {"methodology": slug, "limit": 500},
        HTTP_ACCEPT="application/json; indent=2",
    )
    assert canonical(indented) == expected


def test_an_old_score_set_and_a_filtered_list_are_what_the_serializers_wrote(client):
    old = ScoreSet.objects.get(methodology_version__version="1.1", release__slug="demo-2026-11")
    response = client.get("/api/v1/scores/", {"score_set": old.digest, "limit": 500})
    assert canonical(response) == serialized(old, score_rows(old))
    assert response.json()["score_set"]["current"] is False
    bridgers = current("aimai-bridgers")
    filtered = client.get(
        "/api/v1/scores/",
        {"methodology": "aimai-bridgers", "country": "ken,UGA", "classification": "neutral"},
    )
    rows = score_rows(bridgers).filter(country__iso3__in=["KEN", "UGA"], classification="neutral")
    assert canonical(filtered) == serialized(bridgers, rows)


def test_pages_keep_their_envelope(client):
    body = client.get("/api/v1/scores/", {"limit": 7, "offset": 3, "ordering": "-aimai"}).json()
    assert list(body) == ["score_set", "count", "next", "previous", "results"]
    assert len(body["results"]) == 7
    assert body["next"].startswith("http://testserver/api/v1/scores/?")
    assert "offset=10" in body["next"]
    assert "offset" not in body["previous"]  # the first page
    values = [r["aimai"] for r in body["results"]]
    assert values == sorted(values, reverse=True)


# ?country= and one country ----------------------------------------------------------------


def test_country_keeps_the_countries_named_comma_separated_or_repeated(client):
    one = client.get("/api/v1/scores/", {"country": "KEN"}).json()
    assert [r["country"] for r in one["results"]] == ["KEN"]
    assert one["count"] == 1
    for params in ({"country": "ken,uga"}, {"country": ["KEN", "UGA"]}, {"country": "UGA, KEN"}):
        body = client.get("/api/v1/scores/", params).json()
        assert sorted(r["country"] for r in body["results"]) == ["KEN", "UGA"], params
    everyone = client.get("/api/v1/scores/").json()["count"]
    assert everyone > 100  # no country given: every row
    assert client.get("/api/v1/scores/", {"country": ""}).json()["count"] == everyone


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("KE", "“KE” is not a country code; give ISO 3166-1 alpha-3 codes such as KEN"),
        ("KEN,K3N", "“K3N” is not a country code"),
        ("ZZZ", "No country with code ZZZ."),
        ("KEN,QQQ,ZZZ", "No country with code QQQ, ZZZ."),
    ],
)
def test_a_malformed_or_unknown_country_is_a_400_naming_it(client, value, message):
    response = client.get("/api/v1/scores/", {"country": value})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["country"]
    assert body["fields"]["country"][0].startswith(message)
    assert body["message"].startswith("country: ")
    assert "ETag" not in response


def test_one_country_has_its_score_in_the_set_the_list_uses(client):
    listed = client.get("/api/v1/scores/", {"country": "KEN"}).json()
    body = client.get("/api/v1/scores/KEN/").json()
    assert list(body) == ["score_set", "score"]
    assert body["score_set"] == listed["score_set"]
    assert body["score"] == listed["results"][0]
    assert body["score_set"]["digest"] == current().digest
    assert body["score_set"]["current"] is True
    assert client.get("/api/v1/scores/ken/").json() == body
    bridgers = client.get("/api/v1/scores/KEN/", {"methodology": "aimai-bridgers"}).json()
    assert bridgers["score_set"]["digest"] == current("aimai-bridgers").digest
    assert bridgers["score"]["aimai"] != body["score"]["aimai"]
    old = ScoreSet.objects.get(methodology_version__version="1.1", release__slug="demo-2026-11")
    by_digest = client.get("/api/v1/scores/KEN/", {"score_set": old.digest}).json()
    assert by_digest["score_set"]["digest"] == old.digest
    assert by_digest["score_set"]["current"] is False
    expected = json.loads(
        JSONRenderer().render(ScoreSerializer(old.scores.get(country__iso3="KEN")).data)
    )
    assert by_digest["score"] == expected


def test_an_unknown_country_or_one_the_set_does_not_cover_is_a_404_saying_so(client):
    unknown = client.get("/api/v1/scores/ZZZ/")
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "No country with code ZZZ."
    score_set = current()
    uncovered = Country.objects.exclude(scores__score_set=score_set).order_by("iso3").first()
    assert uncovered is not None  # the world release does not cover every ISO code
    response = client.get(f"/api/v1/scores/{uncovered.iso3}/")
    assert response.status_code == 404
    assert response.json()["message"] == f"{uncovered.iso3} is not in score set {score_set.digest}."
    assert client.get("/api/v1/scores/KEN/", {"methodology": "nope"}).status_code == 404
    assert client.get("/api/v1/scores/KEN/", {"limit": 5}).status_code == 400  # not a list


# ETags and 304 ---------------------------------------------------------------------------------

LISTS = [
    "/api/v1/scores/",
    "/api/v1/scores/?country=KEN,UGA",
    "/api/v1/scores/KEN/",
    "/api/v1/countries/",
    "/api/v1/indicators/",
    "/api/v1/releases/",
    "/api/v1/methodologies/",
    "/api/v1/score-sets/",
    "/api/v1/organisations/",
    "/api/v1/offers/",
    "/api/v1/needs/",
    "/api/v1/compacts/",
    "/api/v1/clusters/",
    "/api/v1/members/",
]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_has_a_strong_etag_and_a_conditional_get_naming_it_is_a_304(client, path):
    response = client.get(path)
    assert response.status_code == 200
    etag = response["ETag"]
    assert etag[0] == etag[-1] == '"'  # strong: no W/
    unchanged = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert "Accept" in unchanged["Vary"]
    listed = client.get(path, HTTP_IF_NONE_MATCH=f'"other", {etag}')
    assert listed.status_code == 304
    other = client.get(path, HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200
    assert other.content == response.content


def test_etags_name_the_parameters_and_the_format(client):
    etags = {
        client.get("/api/v1/scores/", params)["ETag"]
        for params in (
            {},
            {"limit": 5},
            {"country": "KEN"},
            {"methodology": "aimai-bridgers"},
            {"format": "json"},
        )
    }
    assert len(etags) == 5
    # the same parameters in another order are the same request
    one = client.get("/api/v1/scores/?limit=5&ordering=aimai")["ETag"]
    assert client.get("/api/v1/scores/?ordering=aimai&limit=5")["ETag"] == one
    # the browsable API is a page with a form token: no ETag, no 304
    page = client.get("/api/v1/scores/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert "ETag" not in page


def test_a_304_for_scores_asks_nothing_of_the_database(
    client, limits_off_the_database, django_assert_num_queries
):
    first = client.get("/api/v1/scores/")
    detail = client.get("/api/v1/scores/KEN/")
    with django_assert_num_queries(0):
        assert client.get("/api/v1/scores/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        unchanged = client.get("/api/v1/scores/KEN/", HTTP_IF_NONE_MATCH=detail["ETag"])
        assert unchanged.status_code == 304
        again = client.get("/api/v1/scores/")  # the bytes kept under the ETag
    assert again.status_code == 200
    assert again.content == first.content


def test_a_new_current_score_set_shows_at_once(
    client, shared_cache, django_capture_on_commit_callbacks, eager_tasks
):
    old = current()
    first = client.get("/api/v1/scores/")
    old_by_digest = client.get("/api/v1/scores/", {"score_set": old.digest})
    assert old_by_digest.json()["score_set"]["current"] is True
    assert client.get("/api/v1/scores/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    draft = methodology_version_save(
        source=new_version({"index.weights.burden": -1}), changes="Burden weighs double."
    )
    with django_capture_on_commit_callbacks(execute=True):
        methodology_version_publish(version=draft)
    new = current()
    assert new.digest != old.digest
    now = client.get("/api/v1/scores/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert now.status_code == 200
    assert now["ETag"] != first["ETag"]
    assert now.json()["score_set"]["digest"] == new.digest
    assert client.get("/api/v1/scores/KEN/").json()["score_set"]["digest"] == new.digest
    # the old set, by its digest, now says it is no longer current
    again = client.get("/api/v1/scores/", {"score_set": old.digest})
    assert again["ETag"] != old_by_digest["ETag"]
    assert again.json()["score_set"]["current"] is False


def test_a_new_headline_shows_at_once(client, shared_cache):
    first = client.get("/api/v1/scores/")
    assert first.json()["score_set"]["methodology"] == "aimai-default"
    methodology_headline_set(methodology=Methodology.objects.get(slug="aimai-bridgers"))
    now = client.get("/api/v1/scores/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert now.status_code == 200
    assert now.json()["score_set"]["methodology"] == "aimai-bridgers"


def test_the_kept_list_is_served_compressed_as_stored(
    client, limits_off_the_database, django_assert_num_queries
):
    plain = client.get("/api/v1/scores/")
    with django_assert_num_queries(0):
        hits = [client.get("/api/v1/scores/", HTTP_ACCEPT_ENCODING="gzip") for _ in range(2)]
    for hit in hits:
        assert hit["Content-Encoding"] == "gzip"
        assert hit["ETag"] == f"W/{plain['ETag']}"
        assert gzip.decompress(hit.content) == plain.content
    assert hits[0].content == hits[1].content  # compressed once, when kept
