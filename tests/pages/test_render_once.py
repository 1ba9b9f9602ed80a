"""Public pages and charts rendered once per state of the index and served as bytes: the same
bytes as a fresh render, a new current score set shown at once, 304s without a query, and
only what every anonymous visitor would get is kept."""

import gzip
import time

import pytest
import yaml
from django.core.cache import cache
from django.test import Client

from countries.current import current_pointer, public_pages_warm, public_paths
from countries.models import DataRelease, Methodology, ScoreSet
from countries.scoring import (
    methodology_headline_set,
    methodology_version_publish,
    methodology_version_save,
    score_set_compute,
)

pytestmark = pytest.mark.django_db

PAGES = ["/", "/countries/KEN/", "/methodology/", "/?sort=aimai&field=burden"]
CHARTS = ["/charts/scatter.svg", "/charts/map.svg?field=burden"]
# the renderer numbers a map's gradients per process (gradient_0, gradient_1, ...): two renders
# of a map differ, which is one more reason to render it once; these two renders are stable
STABLE_CHARTS = ["/charts/scatter.svg", "/charts/concentration.svg?sort=aimai"]


def current(slug: str | None = None) -> ScoreSet:
    slug = slug or Methodology.objects.headline().slug
    return ScoreSet.objects.for_methodology(slug).current()


# --- the same bytes -------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES + STABLE_CHARTS)
def test_a_cached_answer_is_the_fresh_render_byte_for_byte(client, path):
    fresh = client.get(path)
    assert fresh.status_code == 200
    cached = client.get(path)
    assert cached.content == fresh.content
    assert cached["ETag"] == fresh["ETag"]
    assert cached["Content-Type"] == fresh["Content-Type"]
    cache.clear()  # rendered again from nothing (a new generation token): the same bytes
    again = client.get(path)
    assert again.content == fresh.content


@pytest.mark.parametrize("path", ["/", "/countries/KEN/", "/charts/scatter.svg"])
def test_a_hit_is_served_compressed_as_stored(client, path, django_assert_num_queries):
    plain = client.get(path)
    client.get(path, HTTP_ACCEPT_ENCODING="gzip")  # a miss here would be compressed afresh
    with django_assert_num_queries(0):
        hits = [client.get(path, HTTP_ACCEPT_ENCODING="gzip, br") for _ in range(2)]
    for hit in hits:
        assert hit["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in hit["Vary"]
        assert hit["ETag"] == f"W/{plain['ETag']}"
        assert gzip.decompress(hit.content) == plain.content
    # compressed once, when stored (the middleware pads each response it compresses)
    assert hits[0].content == hits[1].content
    unchanged = client.get(path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=hits[0]["ETag"])
    assert unchanged.status_code == 304


def test_a_warmed_page_is_what_a_visitor_would_render(client):
    assert public_pages_warm(["/", "/countries/KEN/", "/methodology/"]) == {
        "/": 200,
        "/countries/KEN/": 200,
        "/methodology/": 200,
    }
    warmed = {path: client.get(path).content for path in ("/", "/countries/KEN/")}
    cache.clear()
    for path, body in warmed.items():
        assert client.get(path).content == body


def test_the_order_of_the_query_is_one_page(client):
    one = client.get("/", {"sort": "aimai", "field": "burden"})
    other = client.get("/?field=burden&sort=aimai")
    assert one["ETag"] == other["ETag"]
    assert one.content == other.content


# --- headers and conditional requests ---------------------------------------------------------


def test_pages_carry_a_strong_etag_and_revalidate(client):
    response = client.get("/")
    assert response["ETag"].startswith('"')
    assert response["Cache-Control"] == "public, max-age=60, must-revalidate"
    assert "Cookie" in response["Vary"]
    assert not response.cookies


@pytest.mark.parametrize("path", ["/", "/countries/KEN/", "/methodology/", *CHARTS])
def test_a_conditional_get_is_a_304_without_a_query(client, path, django_assert_num_queries):
    first = client.get(path)
    with django_assert_num_queries(0):
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert again.content == b""


def test_a_chart_naming_its_score_set_is_a_304_without_a_query(client, django_assert_num_queries):
    path = f"/charts/scatter.svg?score_set={current().digest}"
    first = client.get(path)
    cache.clear()  # neither the pointer nor the chart is cached: the tag alone answers
    with django_assert_num_queries(0):
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("path", ["/", "/countries/KEN/", "/methodology/", *CHARTS])
def test_a_warm_answer_makes_no_query(client, path, django_assert_num_queries):
    first = client.get(path)
    with django_assert_num_queries(0):
        again = client.get(path)
    assert again.status_code == 200
    assert again.content == first.content


# --- a new current score set shows at once ----------------------------------------------------


def test_a_new_headline_shows_at_the_next_request(client):
    before = client.get("/")
    chart = client.get("/charts/scatter.svg")
    other = next(
        m
        for m in Methodology.objects.with_published_versions()
        if not m.is_headline and current(m.slug)
    )
    assert current(other.slug).digest != current().digest
    methodology_headline_set(methodology=other)
    after = client.get("/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert current(other.slug).digest in after.content.decode()
    assert current(other.slug).digest[:12] in client.get("/charts/scatter.svg").content.decode()
    assert client.get("/charts/scatter.svg")["ETag"] != chart["ETag"]


def test_a_new_score_set_shows_at_the_next_request(client):
    """A new version of the headline, published and scored: the next request shows its set."""
    before = client.get("/")
    country = client.get("/countries/KEN/")
    chart = client.get("/charts/scatter.svg")
    old = current()
    data = yaml.safe_load(old.methodology_version.source)
    data["version"] = "9.9"
    data["changes"] = "Sharing weighs more."
    data["index"]["weights"]["solidarity"] = 2.0
    version = methodology_version_publish(
        version=methodology_version_save(source=yaml.safe_dump(data, allow_unicode=True))
    )
    score_set, created = score_set_compute(version=version, release=DataRelease.objects.current())
    assert created
    assert current().digest == score_set.digest != old.digest
    after = client.get("/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    # the page names the new set as its own (the old one only as "the previous score set")
    cited = after.content.decode().split('id="cite-and-verify"', 1)[1]
    assert score_set.digest in cited
    assert old.digest not in cited
    assert client.get("/countries/KEN/")["ETag"] != country["ETag"]
    svg = client.get("/charts/scatter.svg", HTTP_IF_NONE_MATCH=chart["ETag"])
    assert svg.status_code == 200
    assert score_set.digest[:12] in svg.content.decode()


def test_a_change_made_by_another_process_reaches_this_one(client, settings):
    """Without Redis each process has its own cache: the marker file carries the change."""
    first = client.get("/")
    pointer = current_pointer()
    cache.clear()  # as if this process had never seen it; then another process publishes
    from countries.current import _bump

    _bump()  # what the other process's change does to the shared marker
    assert current_pointer().generation != pointer.generation
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_processes_without_a_shared_cache_give_the_same_etag(client, settings):
    """Two site processes, each with a cache of its own: a client's revalidation may reach the
    other one, which must know the ETag it gave."""
    own_cache = {
        **settings.CACHES["default"],
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    }
    settings.CACHES = {**settings.CACHES, "default": {**own_cache, "LOCATION": "process-one"}}
    first = client.get("/")
    settings.CACHES = {**settings.CACHES, "default": {**own_cache, "LOCATION": "process-two"}}
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/")["ETag"] == first["ETag"]


# --- kept only when every anonymous visitor gets it -------------------------------------------


def test_a_signed_in_visitor_gets_their_own_page(client, django_user_model):
    anonymous = client.get("/")
    user = django_user_model.objects.create_user(
        username="reader", email="reader@example.org", password="x" * 12
    )
    client.force_login(user)
    signed_in = client.get("/", HTTP_IF_NONE_MATCH=anonymous["ETag"])
    assert signed_in.status_code == 200
    assert "Log out" in signed_in.content.decode()
    assert "ETag" not in signed_in
    assert "Log out" not in Client().get("/").content.decode()  # nor was theirs kept


def test_a_404_is_not_cached(client, settings):
    missing = client.get("/countries/ZZZ/")
    assert missing.status_code == 404
    assert "ETag" not in missing
    assert not kept_keys("rendered:page:/countries/ZZZ/")
    assert client.get("/countries/KEN/").status_code == 200
    assert kept_keys("rendered:page:/countries/KEN/")  # where it would have been kept


def kept_keys(start: str) -> list[str]:
    """The keys the cache holds that begin with `start`, on Redis or in memory."""
    pattern = cache.make_key(start) + "*"
    if hasattr(cache._cache, "get_client"):  # Redis
        return list(cache._cache.get_client().scan_iter(match=pattern))
    return [k for k in cache._cache if k.startswith(pattern[:-1])]


def test_a_refused_filter_is_not_cached(client):
    refused = client.get("/", {"region": "Atlantis"})
    assert refused.status_code == 400
    assert "ETag" not in refused


def test_the_warm_task_renders_every_public_page(eager_tasks, django_assert_num_queries):
    from countries.tasks import public_pages_warm_task

    started = time.monotonic()
    result = public_pages_warm_task.delay().get()
    assert result["failed"] == []
    assert result["pages"] == len(public_paths())
    print(f"warmed {result['pages']} pages in {time.monotonic() - started:.1f} s")
    for path in ("/countries/KEN/", "/countries/", "/groups/", "/maps/", "/about/"):
        with django_assert_num_queries(0):
            assert Client().get(path).status_code == 200, path
    # the overview's charts as the server draws them, shown before the interactive ones
    stills = [p for p in public_paths() if p.startswith("/charts/")]
    assert len(stills) == 3
    home = Client().get("/").content.decode()
    for still in stills:
        assert still.replace("&", "&amp;") in home
        with django_assert_num_queries(0):
            assert Client().get(still).status_code == 200
