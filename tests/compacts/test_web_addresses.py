"""An organisation's website is a web address as the API's schema says (`format: uri`): what
a URI may not hold is refused, through the API and the page alike, and nothing is saved."""

import jsonschema_rs
import pytest
from rest_framework.test import APIClient

from compacts.models import Organisation
from countries.models import Country
from tests.compacts.conftest import member_make

AS_THE_SCHEMA_SAYS = jsonschema_rs.validator_for(
    {"type": "string", "format": "uri"}, validate_formats=True
)
REFUSED = [
    'https://example.org/"onmouseover="x',
    "https://example.org/<script>",
    "https://example.org/a{b}|c^d`",
    "https://münchen.example/",
    "https://example.org/straße",
    "https://example.org/a b",
    "javascript:alert(1)",
    "not a url",
]
ACCEPTED = [
    "https://example.org",
    "https://example.org/path/to?q=1&r=a%20b#part",
    "http://xn--mnchen-3ya.example/",
    "https://example.org:8443/~team/(x)",
]


@pytest.fixture
def founder(db):
    return member_make("founder@new.example")


def organisation_post(user, website: str):
    client = APIClient()
    client.force_authenticate(user)
    body = {"name": "Lagos Language Lab", "kind": "research", "country": "NGA"}
    return client.post("/api/v1/organisations/", {**body, "website": website}, format="json")


@pytest.mark.parametrize("website", REFUSED)
def test_the_api_refuses_what_is_not_a_uri(founder, website):
    response = organisation_post(founder, website)
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["website"]
    assert not Organisation.objects.filter(name="Lagos Language Lab").exists()


@pytest.mark.parametrize("website", ACCEPTED)
def test_the_api_accepts_web_addresses(founder, website):
    assert AS_THE_SCHEMA_SAYS.is_valid(website)
    response = organisation_post(founder, website)
    assert response.status_code == 201, response.content
    assert response.json()["website"] == website


def test_whatever_the_api_accepts_the_schema_accepts(founder):
    for website in REFUSED + ACCEPTED:
        Organisation.objects.filter(name="Lagos Language Lab").delete()
        if organisation_post(founder, website).status_code == 201:
            assert AS_THE_SCHEMA_SAYS.is_valid(website), website


@pytest.mark.parametrize("website", REFUSED)
def test_the_page_refuses_what_is_not_a_uri_too(client, founder, website):
    client.force_login(founder)
    form = {"name": "New Org", "kind": "non_profit", "country": Country.objects.get(iso3="GHA").pk}
    response = client.post("/compacts/new-organisation/", {**form, "website": website})
    assert response.status_code == 400
    assert 'id="id_website_error"' in response.content.decode()
    assert not Organisation.objects.filter(name="New Org").exists()
