"""The database out of reach: pages and the API answer 503 with Retry-After and a plain message,
whether a view or a middleware met the failure; never a 500, never a trace.

The database is made unreachable for real: the `default` connection is pointed at a server
that is not there (a closed port on PostgreSQL, a file in a missing folder on SQLite), then put
back. (The drill in tests/faults/test_database_restart.py stops a real server under load.)
"""

import json
import socket

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from aimai_site.unavailable import MESSAGE

LEAKS = ("Traceback", "OperationalError", "InterfaceError", "sqlite", "psycopg")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.fixture
def database_unreachable(django_db_blocker, tmp_path):
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    else:
        connection.settings_dict["NAME"] = str(tmp_path / "missing" / "db.sqlite3")
    try:
        with django_db_blocker.unblock():
            yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def visitor():
    # the failure must come back as the site's answer, not as the exception
    return Client(raise_request_exception=False)


def assert_unavailable(response) -> str:
    body = response.content.decode()
    assert response.status_code == 503, body[:500]
    assert response["Retry-After"] == str(settings.HEALTH_RETRY_AFTER)
    assert "no-store" in response["Cache-Control"]
    assert not [leak for leak in LEAKS if leak in body]
    return body


@pytest.mark.usefixtures("database_unreachable")
def test_a_page_that_reads_the_database_answers_503_with_a_plain_page(visitor):
    body = assert_unavailable(visitor.get("/countries/KEN/"))
    assert MESSAGE in body
    assert body.lstrip().startswith("<!doctype html>")


@pytest.mark.usefixtures("database_unreachable")
def test_the_api_answers_503_with_its_error_body(visitor):
    response = visitor.get("/api/v1/countries/KEN/")
    assert_unavailable(response)
    assert json.loads(response.content) == {"code": "unavailable", "message": MESSAGE, "fields": {}}


@pytest.mark.usefixtures("database_unreachable")
def test_an_api_write_with_a_token_answers_503_too(visitor):
    """The token is looked up in the database by DRF's authentication, before the view."""
    response = visitor.post(
        "/api/v1/compacts/",
        data={"title": "x"},
        content_type="application/json",
        headers={"Authorization": f"Bearer aimai_0123456789ab_{'x' * 43}"},
    )
    assert_unavailable(response)
    assert json.loads(response.content)["code"] == "unavailable"


@pytest.mark.usefixtures("database_unreachable")
def test_a_middleware_reading_the_session_answers_503(visitor):
    """/accounts/ is a 404 that allauth's middleware turns into a redirect, after the view, by
    asking who the visitor is: with a session cookie that reads the database."""
    visitor.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    body = assert_unavailable(visitor.get("/accounts/"))
    assert MESSAGE in body


def test_with_the_database_back_the_same_routes_answer(visitor, db):
    assert visitor.get("/api/v1/countries/KEN/").status_code == 200
    assert visitor.get("/countries/KEN/").status_code == 200


@pytest.mark.usefixtures("database_unreachable")
def test_a_route_that_needs_no_database_still_answers(visitor):
    assert visitor.get("/health/live").status_code == 200
