"""A session cookie the site could not have issued (a NUL byte, other characters than the
letters and digits of a session key) is no session: the request goes on anonymously,
never a 500 (PostgreSQL refuses NUL bytes in a query)."""

import pytest
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string

from aimai_site.sessions import SessionStore

HOSTILE = ["abcdefghij\x00klmnopqrst", "abcdefghij klmnop", "abcdefgh'; --", "abcdéfghijklmnop"]


@pytest.mark.parametrize("key", HOSTILE)
def test_a_key_the_site_could_not_have_issued_is_no_session(key):
    assert SessionStore(session_key=key).session_key is None


def test_a_key_as_issued_is_kept():
    key = get_random_string(32, VALID_KEY_CHARS)
    assert SessionStore(session_key=key).session_key == key


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/countries/", "/"])
@pytest.mark.parametrize("key", HOSTILE)
def test_pages_and_the_api_answer_such_a_cookie_anonymously(client, url, key):
    client.cookies["sessionid"] = key
    response = client.get(url)
    assert response.status_code == 200
    assert response.wsgi_request.user.is_anonymous
