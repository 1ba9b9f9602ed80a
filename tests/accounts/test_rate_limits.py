"""Rate limits key on the real client address behind the trusted proxies, answer 429 with
Retry-After, and DRF throttles anonymous and signed-in API use."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from aimai_site.models import ApiToken
from aimai_site.tokens import token_create

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
FILE = b"iso3,indicator,year,value,source\nKEN,internet_users,2022,48.0,https://example.org/\n"


def check_from(client: Client, address: str, proxy_count_header: bool = True):
    upload = SimpleUploadedFile("file.csv", FILE, content_type="text/csv")
    return client.post(
        "/data/check/",
        {"file": upload, "layout": "long"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_behind_the_proxy_one_client_cannot_exhaust_the_checks_of_everyone(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CHECK_RATE_PER_HOUR = 2
    assert check_from(client, "192.0.2.1").status_code == 200
    assert check_from(client, "192.0.2.1").status_code == 200
    refused = check_from(client, "192.0.2.1")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # another client behind the same proxy still checks its file
    assert check_from(client, "192.0.2.2").status_code == 200


def test_a_client_cannot_choose_its_address_by_writing_the_header(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CHECK_RATE_PER_HOUR = 2
    for spoofed in ("192.0.2.10", "192.0.2.11", "192.0.2.12"):
        response = check_from(client, f"{spoofed}, 192.0.2.1")  # the proxy appended the last
    assert response.status_code == 429


def test_without_a_trusted_proxy_the_header_is_ignored(client, settings):
    settings.CHECK_RATE_PER_HOUR = 1
    assert check_from(client, "192.0.2.1").status_code == 200
    assert check_from(client, "192.0.2.2").status_code == 429


def test_the_api_throttles_anonymous_use_per_client(settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "1000/minute"}
    client = APIClient(REMOTE_ADDR=PROXY)
    for _ in range(3):
        assert client.get("/api/v1/countries/", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 200
    refused = client.get("/api/v1/countries/", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "throttled"
    assert client.get("/api/v1/countries/", HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 200


def test_the_api_throttles_signed_in_use_per_account(settings, member):
    settings.API_THROTTLE_RATES = {"anon": "1000/minute", "user": "2/minute"}
    made = token_create(user=member, name="t", scope=ApiToken.Scope.READ, days=5)
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {made.secret}")
    for _ in range(2):
        assert client.get("/api/v1/countries/").status_code == 200
    refused = client.get("/api/v1/countries/", REMOTE_ADDR="192.0.2.99")  # a new address
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_a_rate_of_off_throttles_nothing_and_keeps_no_counter(settings, db):
    """For a load test from one address (or a deployment whose proxy limits instead): the
    throttle neither refuses nor keeps a log of the client's requests."""
    from django.core.cache import caches

    settings.API_THROTTLE_RATES = {"anon": "off", "user": "off"}
    caches["limits"].clear()
    client = APIClient()
    for _ in range(5):
        assert client.get("/api/v1/countries/").status_code == 200
    assert caches["limits"].get("throttle_anon_127.0.0.1") is None
    settings.API_THROTTLE_RATES = {"anon": "2/minute", "user": "off"}
    answers = [client.get("/api/v1/countries/").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
