"""Malformed input gets a 4xx that says what is wrong, never a server error: out-of-range
numbers, JSON nested too deeply, bad dates and names on downloads and charts, header
injection through a file name, OPTIONS on the documentation pages. Under /api/ the answer is
the API's JSON error body, even for errors raised outside DRF."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import path

from aimai_site.exports import attachment_header
from aimai_site.jsonbounds import MAX_JSON_DEPTH, JSONTooDeep, json_loads_bounded
from countries.models import DataRelease

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.fixture
def member_client(client):
    client.force_login(get_user_model().objects.create_user("m", "m@example.org", "pw"))
    return client


def error_body(response) -> dict:
    assert response["Content-Type"] == "application/json", response.content[:200]
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    return body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("need=1e19", "Enter a whole number."),
        ("need=99999999999999999999", "less than or equal to 9223372036854775807"),
        ("offer=-1", "greater than or equal to 1"),
        ("offer=1.5", "Enter a whole number."),
    ],
)
def test_an_id_filter_out_of_the_databases_range_is_a_400_naming_it(member_client, query, message):
    response = member_client.get(f"/api/v1/suggestions/?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert message in error_body(response)["fields"][name][0]


def test_an_id_filter_in_range_still_filters(member_client):
    response = member_client.get("/api/v1/suggestions/?need=9223372036854775807")
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    "url", ["/api/v1/offers/99999999999999999999999/", "/compacts/99999999999999999999999/"]
)
def test_an_id_in_the_path_beyond_the_databases_range_is_not_found(member_client, url):
    assert member_client.get(url).status_code == 404


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_json_nested_thousands_of_levels_deep_is_a_400(client):
    response = client.post("/api/v1/registry/witness/", deep(3000), content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in error_body(response)["message"]


def test_deep_objects_count_but_brackets_inside_strings_do_not():
    with pytest.raises(JSONTooDeep):
        json_loads_bounded('{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1))
    text = json.dumps({"note": "[" * 5000, "nested": [[[1]]]})
    assert json_loads_bounded(text)["nested"] == [[[1]]]
    assert json_loads_bounded(deep(MAX_JSON_DEPTH)) == json.loads(deep(MAX_JSON_DEPTH))


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"name": "a\\u0000b"}', "application/json"),
        ('{"a\\u0000": 1}', "application/json"),
        ("name=a%00b", "application/x-www-form-urlencoded"),
    ],
)
def test_a_nul_character_in_a_body_is_a_400(member_client, body, content_type):
    response = member_client.post("/api/v1/organisations/", body, content_type=content_type)
    assert response.status_code == 400
    assert "NUL" in error_body(response)["message"]


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/downloads/scores.csv?as_of=garbage", 400, "is not a date"),
        ("/downloads/scores.json?as_of=2026-02-30", 400, "is not a date"),
        ("/downloads/scores.xlsx?as_of=garbage", 400, "is not a date"),
        ("/downloads/scores.csv?methodology=nope", 404, "No methodology"),
        ("/downloads/scores.json?score_set=zz", 400, "64 lowercase hex digits"),
        ("/charts/map.svg?as_of=bad", 400, "is not a date"),
        ("/charts/scatter.json?methodology=nope", 404, "No methodology"),
    ],
)
def test_a_bad_score_set_parameter_on_a_file_or_chart_is_answered_with_its_reason(
    client, url, status, words
):
    response = client.get(url)
    assert response.status_code == status
    assert words in response.content.decode()


def release_slug() -> str:
    return DataRelease.objects.published().order_by("pk").first().slug


@pytest.mark.parametrize(
    "country", ["%0d%0aX", "X%22%3Bfilename%3D%22EVIL.HTML", "KENYA", "K%C3%89N", "12"]
)
def test_an_observations_file_refuses_a_country_that_is_not_an_iso3_code(client, country):
    response = client.get(f"/downloads/observations/{release_slug()}.csv?country={country}")
    assert response.status_code == 400
    assert "ISO 3166-1 alpha-3" in response.content.decode()
    assert "Content-Disposition" not in response


def test_an_observations_file_of_one_country_is_named_after_it(client):
    response = client.get(f"/downloads/observations/{release_slug()}.json?country=ken")
    assert response.status_code == 200
    slug = release_slug()
    assert response["Content-Disposition"] == (
        f'attachment; filename="aimai-observations-{slug}-KEN.json"'
    )


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("scores.csv", 'attachment; filename="scores.csv"'),
        ('x";filename="EVIL.HTML', 'attachment; filename="x_filename_EVIL.HTML"'),
        ("a\r\nSet-Cookie: x=1.csv", 'attachment; filename="a_Set-Cookie_x_1.csv"'),
        ("../../etc/passwd", 'attachment; filename="etc_passwd"'),
        ("\u202eexe.csv", 'attachment; filename="exe.csv"'),
        ("Côte-d'Ivoire.csv", "attachment; filename*=utf-8''C%C3%B4te-d_Ivoire.csv"),
        ('";', 'attachment; filename="download"'),
    ],
)
def test_a_download_name_cannot_end_its_parameter_or_the_header(name, header):
    assert attachment_header(name) == header


@pytest.mark.parametrize(
    "url",
    [
        "/downloads/scores.csv?methodology=%00",
        "/api/v1/score-sets/?methodology=a%00b",
        "/api/v1/scores/?as%00of=1",
    ],
)
def test_a_nul_character_in_the_query_string_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize("url", ["/methodology/1%00/2.yaml", "/api/v1/releases/a%00/"])
def test_nothing_lives_at_a_path_with_a_nul_character(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_options_on_the_documentation_pages_lists_the_allowed_methods(client, url):
    response = client.options(url)
    assert response.status_code == 200
    assert "GET" in response["Allow"]


def test_an_unknown_api_url_is_the_json_error_body(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert error_body(response)["code"] == "not_found"


def _raises_bad_request(request):
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("bad header")


def _raises_server_error(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("api/bad/", _raises_bad_request),
    path("api/boom/", _raises_server_error),
    path("page/bad/", _raises_bad_request),
]
handler400 = "aimai_site.api.api_bad_request"
handler500 = "aimai_site.api.api_server_error"


@pytest.mark.urls(__name__)
def test_errors_raised_outside_drf_under_api_are_the_json_error_body(client):
    bad = client.get("/api/bad/")
    assert bad.status_code == 400
    assert error_body(bad)["code"] == "bad_request"
    boom = client.get("/api/boom/")
    assert boom.status_code == 500
    assert error_body(boom)["code"] == "server_error"
    page = client.get("/page/bad/")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def test_json_typed_into_a_form_is_bounded_too():
    from countries.forms import ObservationFileForm

    form = ObservationFileForm(data={"indicator_codes": '{"a":' * 3000 + "1" + "}" * 3000})
    form.is_valid()
    assert "nested deeper" in form.errors["indicator_codes"][0]


@pytest.fixture
def superuser_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "pw"))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/countries/datarelease/1e19/change/",
        "/admin/countries/country/%C3%A9/history/",
        "/admin/compacts/compact/99999999999999999999999/change/",
    ],
)
def test_an_admin_object_id_that_cannot_be_a_key_is_not_found(superuser_client, url):
    assert superuser_client.get(url).status_code == 404


def test_an_admin_initial_value_that_names_no_object_is_a_400(superuser_client):
    response = superuser_client.get("/admin/countries/observation/add/?country=1e19")
    assert response.status_code == 400
    assert "does not name a country" in response.content.decode()
    response = superuser_client.get("/admin/countries/observation/add/?country=1")
    assert response.status_code == 200
