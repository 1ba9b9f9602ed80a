"""What the browser is sent: the chart library and the world's geometry as static files named
by their hash, compressed at build and kept for good; pages and JSON compressed on the way out,
to the same bytes, with their conditional GETs still answered 304."""

import gzip
import json
import re

import brotli
import pytest
from django.core.management import call_command
from django.test import override_settings

from aimai_site.staticfinders import vega_bundle_path
from countries import charts
from tests.countries.test_overview import spec_of

pytestmark = pytest.mark.django_db

MANIFEST = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
# the third-party files no page under test links, left out to keep the build short
NOT_NEEDED = ["admin", "rest_framework", "drf_spectacular_sidecar"]
HASHED = r"\.[0-9a-f]{12}\."


@pytest.fixture(scope="module")
def collected(tmp_path_factory, django_test_environment):
    """The static files as production collects them (`make serve`)."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=_storages()):
        call_command("collectstatic", "--noinput", "--verbosity=0", *_ignored())
    return root


def _storages() -> dict:
    from django.conf import settings

    return {**settings.STORAGES, "staticfiles": MANIFEST}


def _ignored() -> list[str]:
    return [f"--ignore={name}" for name in NOT_NEEDED]


@pytest.fixture
def production_static(settings, collected):
    settings.STATIC_ROOT = collected
    settings.STORAGES = _storages()
    return collected


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def library_url(client) -> str:
    html = client.get("/").content.decode()
    found = re.search(r'data-library="(/static/vendor/vega\.[0-9a-f]{12}\.js)"', html)
    assert found, "the page names the chart library by its hash"
    return found[1]


def assert_immutable(response) -> None:
    directives = [d.strip() for d in response["Cache-Control"].split(",")]
    assert "immutable" in directives
    max_age = next(int(d.split("=")[1]) for d in directives if d.startswith("max-age="))
    assert max_age >= 31_536_000


def test_the_chart_library_is_a_hashed_immutable_file_compressed_at_build(
    client, production_static
):
    url = library_url(client)
    plain = vega_bundle_path().read_bytes()
    assert b"window.vegaEmbed=" in plain
    for encoding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = client.get(url, HTTP_ACCEPT_ENCODING=f"{encoding}")
        assert response.status_code == 200
        assert response["Content-Encoding"] == encoding
        assert_immutable(response)
        sent = body(response)
        assert len(sent) < len(plain) / 2
        assert decompress(sent) == plain
    uncompressed = client.get(url)
    assert "Content-Encoding" not in uncompressed
    assert body(uncompressed) == plain


def test_the_old_address_of_the_chart_library_redirects_to_the_hashed_file(
    client, production_static
):
    response = client.get("/assets/vega.js")
    assert response.status_code == 301
    assert response["Location"] == library_url(client)
    # kept a day by browsers, so that the next version's name is found
    assert response["Cache-Control"] == "public, max-age=86400"


def test_the_overview_fetches_the_world_geometry_instead_of_inlining_it(client, production_static):
    html = client.get("/").content.decode()
    assert '"Topology"' not in html
    assert '"arcs"' not in html
    data = spec_of(html, "map")["data"]
    assert "values" not in data
    assert re.fullmatch(rf"/static/geo/countries-110m{HASHED}json", data["url"])
    assert data["format"] == {"type": "topojson", "feature": "countries"}
    response = client.get(data["url"], HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "br"
    assert_immutable(response)
    assert json.loads(brotli.decompress(body(response))) == charts.world_geometry()


def test_a_downloaded_map_still_carries_its_geometry(client):
    spec = client.get("/charts/map.json").json()
    assert spec["data"]["values"] == charts.world_geometry()


@pytest.mark.parametrize(
    "path", ["/", "/countries/KEN/", "/api/v1/countries/", "/downloads/scores.json"]
)
def test_pages_and_json_are_gzip_compressed_to_the_same_bytes(client, path):
    plain = client.get(path)
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain
    compressed = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert len(compressed.content) < len(plain.content) / 2
    assert gzip.decompress(compressed.content) == plain.content


@pytest.mark.parametrize("path", ["/downloads/scores.json", "/charts/concentration.json"])
def test_a_compressed_answer_still_gets_its_304(client, path):
    compressed = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert compressed["Content-Encoding"] == "gzip"
    etag = compressed["ETag"]
    assert etag.startswith('W/"')  # a different body than the uncompressed one's strong ETag
    assert client.get(path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag).status_code == (
        304
    )
    # and the uncompressed answer's strong ETag matches the compressed one's, weakly
    strong = client.get(path)["ETag"]
    assert strong == etag.removeprefix("W/")
    assert client.get(path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=strong).status_code == (
        304
    )


def test_pages_that_may_hold_a_secret_are_sent_uncompressed(client, django_user_model):
    user = django_user_model.objects.create_user("member", "member@example.org", "pw")
    client.force_login(user)
    response = client.get("/accounts/tokens/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert b"<html" in response.content
