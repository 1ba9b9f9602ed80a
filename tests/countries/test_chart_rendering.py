"""Server-rendered charts: rendered once per score set and options, cached, conditional GETs
answered with 304, and renders (not cached answers) rate-limited per address."""

import pytest
from django.core.cache import cache

from aimai_site.rendered import rendered_key
from countries.downloads import chart_kind
from countries.models import ScoreSet

pytestmark = pytest.mark.django_db


def current() -> ScoreSet:
    return ScoreSet.objects.for_methodology("aimai-default").current()


def test_a_chart_is_rendered_once_then_served_from_the_cache(client, settings):
    settings.RENDERS_PER_MINUTE = 1
    first = client.get("/charts/map.png")
    assert first.status_code == 200
    assert first.content[:8] == b"\x89PNG\r\n\x1a\n"
    key = rendered_key(chart_kind("map", "png"), current().digest, {"field": "aimai"})
    assert cache.get(key).body == first.content
    # the budget is spent: had these rendered again, they would be refused
    for _ in range(3):
        again = client.get("/charts/map.png", {"field": "aimai"})
        assert again.status_code == 200
        assert again.content == first.content


def test_a_render_over_the_budget_is_refused_with_retry_after(client, settings):
    settings.RENDERS_PER_MINUTE = 2
    assert client.get("/charts/scatter.svg").status_code == 200
    assert client.get("/charts/map.svg").status_code == 200
    refused = client.get("/charts/map.svg", {"field": "burden"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many charts" in refused.content.decode()
    # another address has its own budget
    assert (
        client.get("/charts/map.svg", {"field": "burden"}, REMOTE_ADDR="10.0.0.9").status_code
        == 200
    )
    assert client.get("/charts/map.svg", {"field": "burden"}).status_code == 200  # now cached


def test_charts_answer_a_conditional_get_with_304_and_options_change_the_etag(client):
    first = client.get("/charts/concentration.json")
    assert first["ETag"].startswith('"')  # strong, not W/"..."
    assert first["Cache-Control"] == "public, max-age=300"
    again = client.get("/charts/concentration.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    by_aimai = client.get(
        "/charts/concentration.json", {"sort": "aimai"}, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert by_aimai.status_code == 200  # another chart: another tag
    assert by_aimai["ETag"] != first["ETag"]
    assert by_aimai.json()["vconcat"][0]["encoding"]["x"]["sort"]["field"] == "aimai"
    # the default option and the same option spelled out are one chart
    spelled = client.get("/charts/concentration.json", {"sort": "capability"})
    assert spelled["ETag"] == first["ETag"]


def test_a_chart_url_that_names_its_score_set_is_immutable(client):
    digest = current().digest
    response = client.get("/charts/scatter.svg", {"score_set": digest})
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert digest[:12].encode() in response.content


def test_a_chart_of_an_unknown_or_malformed_score_set_is_refused_not_rendered(client, settings):
    settings.RENDERS_PER_MINUTE = 0
    response = client.get("/charts/map.png", {"score_set": "0" * 64})
    assert response.status_code == 404
    assert "No score set" in response.content.decode()
    malformed = client.get("/charts/map.svg", {"as_of": "bad"})
    assert malformed.status_code == 400
    assert "is not a date" in malformed.content.decode()
