"""A query parameter the API does not know is refused with a 400 naming it (a misspelt filter
must not answer as if it were not there), while every parameter the schema documents is
known."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from aimai_site.api_params import KnownQueryParameters

UNKNOWN = "Unknown query parameter"


def refused(response, *names: str) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert sorted(body["fields"]) == sorted(names)
    for name in names:
        assert body["fields"][name][0].startswith(UNKNOWN)
        assert name in body["message"]
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("/api/v1/countries/?regoin=Europe", ["regoin"]),  # a misspelt filter
        ("/api/v1/countries/?region=Europe&page=2&sort=name", ["page", "sort"]),
        ("/api/v1/countries/KEN/?region=Europe", ["region"]),  # a list's filter on a detail
        ("/api/v1/scores/?methodolgy=aimai-default", ["methodolgy"]),
        ("/api/v1/scores/KEN/explain/?limit=5", ["limit"]),
        ("/api/v1/indicators/?dimension=capability&directon=higher", ["directon"]),
        ("/api/v1/registry/entries/?strat=0", ["strat"]),
        ("/api/v1/registry/tree-head/?size=1", ["size"]),
        ("/api/v1/compacts/?state=active", ["state"]),
    ],
)
def test_an_unknown_query_parameter_is_a_400_naming_it(url, names):
    body = refused(APIClient().get(url), *names)
    assert "use one of:" in body["fields"][names[0]][0]


@pytest.mark.django_db
def test_a_write_refuses_unknown_query_parameters_too(client):
    response = APIClient().post("/api/v1/registry/witness/?dry_run=1", {}, format="json")
    refused(response, "dry_run")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/countries/?region=Europe&ordering=-name&limit=5&offset=5&format=json",
        "/api/v1/scores/?methodology=aimai-default&region=Africa&ordering=rank",
        "/api/v1/scores/KEN/explain/?methodology=aimai-default",
        "/api/v1/registry/entries/?start=0&end=0",
        "/api/v1/indicators/?dimension=capability&direction=higher_is_more",
    ],
)
def test_known_query_parameters_are_answered(url):
    assert APIClient().get(url).status_code == 200


@pytest.mark.django_db
def test_every_documented_query_parameter_is_known():
    """Each GET operation, sent every query parameter its schema documents: none is refused
    as unknown (a value may still be refused for its content)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    checked = 0
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path:
            continue
        names = [p["name"] for p in get.get("parameters", []) if p["in"] == "query"]
        query = "&".join(f"{name}=1" for name in names)
        response = APIClient().get(f"{path}?{query}")
        fields = response.json().get("fields", {}) if response.status_code == 400 else {}
        unknown = [name for name, messages in fields.items() if messages[0].startswith(UNKNOWN)]
        assert unknown == [], f"{path}: documented but refused: {unknown}"
        checked += 1
    assert checked >= 15


def _api_views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith(
            "api/v1/"
        ):
            view = getattr(pattern.callback, "cls", None)
            if view is not None:
                yield prefix + str(pattern.pattern), view


def test_every_api_view_checks_its_query_parameters():
    views = dict(_api_views(get_resolver().url_patterns))
    assert len(views) > 20
    unchecked = [
        route
        for route, view in views.items()
        if not issubclass(view, KnownQueryParameters) and view.__name__ != "APIRootView"
    ]
    assert unchecked == []
