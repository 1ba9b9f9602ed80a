import re

import pytest
from django.core.management import call_command
from django.urls import path as route
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from aimai_site.api_params import KnownQueryParameters


def test_schema_builds_and_validates(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    assert "/api/v1/countries/{iso3}/" in schema


@pytest.mark.django_db
def test_api_docs_are_served_from_the_site_itself(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    external = [u for u in re.findall(r'(?:src|href)="(https?://[^"]+)"', html)]
    assert external == []


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield schema, path, method.upper(), operation


ERROR_REF = {"$ref": "#/components/schemas/Error"}


def test_every_operation_documents_the_errors_it_can_give():
    operations = list(_operations())
    assert len(operations) > 60
    for _, path, method, operation in operations:
        responses = operation["responses"]
        where = f"{method} {path}"
        assert "400" in responses, where  # unknown query parameters, at least
        for status, response in responses.items():
            if status >= "400" and status != "400":
                assert response["content"]["application/json"]["schema"] == ERROR_REF, where
        if "{" in path:
            assert "404" in responses, where
        if method != "GET":
            assert "409" in responses, where
            signature_is_the_credential = path == "/api/v1/registry/witness/"
            assert signature_is_the_credential or {"401", "403"} <= set(responses), where
    error = operations[0][0]["components"]["schemas"]["Error"]
    assert sorted(error["required"]) == ["code", "fields", "message"]


def test_reads_open_to_everyone_do_not_document_a_refusal():
    responses = {(method, path): op["responses"] for _, path, method, op in _operations()}
    assert "403" not in responses[("GET", "/api/v1/countries/")]
    assert "401" not in responses[("GET", "/api/v1/compacts/{id}/")]
    assert {"401", "403"} <= set(responses[("GET", "/api/v1/suggestions/")])  # members only


def test_the_scores_parameters_are_documented():
    documented = {
        path: {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
        for _, path, method, op in _operations()
        if method == "GET"
    }
    for path in ("/api/v1/scores/", "/api/v1/scores/{iso3}/", "/api/v1/scores/{iso3}/explain/"):
        assert {"methodology", "score_set", "as_of"} <= set(documented[path]), path
        assert documented[path]["as_of"]["schema"]["format"] == "date"
    assert documented["/api/v1/scores/"]["country"]["schema"]["type"] == "string"
    responses = {path: op["responses"] for _, path, method, op in _operations() if method == "GET"}
    assert "404" in responses["/api/v1/scores/"]  # an unknown methodology or score set
    assert "404" in responses["/api/v1/scores/{iso3}/"]  # or an unknown country


def test_a_website_is_documented_as_a_uri():
    schemas = next(_operations())[0]["components"]["schemas"]
    for name in ("Organisation", "OrganisationRequest", "PatchedOrganisationRequest"):
        website = schemas[name]["properties"]["website"]
        assert {"type": "string", "format": "uri", "maxLength": 200} in website["oneOf"], name


class _TenAMinute(SimpleRateThrottle):
    rate = "10/min"

    def get_cache_key(self, request, view):
        return "throttle-test"


class _ThrottledView(KnownQueryParameters, APIView):
    throttle_classes = [_TenAMinute]

    @extend_schema(responses={200: None})
    def get(self, request):
        return Response()


class _OpenView(KnownQueryParameters, APIView):
    throttle_classes = []

    @extend_schema(responses={200: None})
    def get(self, request):
        return Response()


def test_a_throttled_operation_documents_429_with_retry_after():
    patterns = [
        route("api/v1/throttled/", _ThrottledView.as_view()),
        route("api/v1/open/", _OpenView.as_view()),
    ]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    throttled = schema["paths"]["/api/v1/throttled/"]["get"]["responses"]
    assert "Retry-After" in throttled["429"]["headers"]
    assert throttled["429"]["content"]["application/json"]["schema"] == ERROR_REF
    assert "429" not in schema["paths"]["/api/v1/open/"]["get"]["responses"]
