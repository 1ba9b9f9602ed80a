"""One protection for every door: 30 wrong passwords (or tokens), then the right one, is a
429 with Retry-After, not a log-in; the owner still logs in from another address. The counts
live in the shared cache, so every process of the site sees them."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth import SESSION_KEY
from django.test import Client
from rest_framework.test import APIClient

from aimai_site.models import ApiToken
from aimai_site.tokens import token_create

from .conftest import ATTACKER, OWNER, PASSWORD, account_make

ROOT = Path(__file__).resolve().parents[2]
SITE_LOGIN = "/accounts/login/"


def site_login(client: Client, email: str, password: str, address: str, url=SITE_LOGIN):
    return client.post(url, {"login": email, "password": password}, REMOTE_ADDR=address)


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content[:500]
    assert int(response["Retry-After"]) > 0


def test_site_login_locks_the_attacker_not_the_owner(client, member):
    for _ in range(30):
        response = site_login(client, member.email, "wrong password", ATTACKER)
        assert response.status_code in (200, 429)
        assert SESSION_KEY not in client.session
    refused = site_login(client, member.email, PASSWORD, ATTACKER)
    assert_throttled(refused)
    assert "Too many" in refused.content.decode()
    assert SESSION_KEY not in client.session

    owner = Client()
    welcomed = site_login(owner, member.email, PASSWORD, OWNER)
    assert welcomed.status_code == 302
    assert owner.session[SESSION_KEY] == str(member.pk)


def test_the_lock_grows_with_each_failure_beyond_the_free_ones(client, member, settings):
    settings.LOGIN_FREE_ATTEMPTS, settings.LOGIN_BACKOFF_SECONDS = 3, 10
    for _ in range(3):
        assert site_login(client, member.email, "wrong", ATTACKER).status_code == 200
    first = site_login(client, member.email, "wrong", ATTACKER)
    assert_throttled(first)
    assert int(first["Retry-After"]) <= 11


def test_many_accounts_from_one_address_lock_the_address(client, member, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS_PER_HOUR = 10
    for number in range(10):
        site_login(client, f"nobody{number}@example.org", "guess", ATTACKER)
    assert_throttled(site_login(client, member.email, PASSWORD, ATTACKER))
    assert site_login(Client(), member.email, PASSWORD, OWNER).status_code == 302


def test_a_success_clears_the_failures_of_that_address_and_account(client, member, settings):
    settings.LOGIN_FREE_ATTEMPTS = 3
    for _ in range(2):
        site_login(client, member.email, "wrong", OWNER)
    assert site_login(client, member.email, PASSWORD, OWNER).status_code == 302
    client.logout()
    for _ in range(2):
        assert site_login(client, member.email, "wrong", OWNER).status_code == 200
    assert site_login(client, member.email, PASSWORD, OWNER).status_code == 302


def test_the_admin_door_is_the_site_login(client, staff_member):
    """/admin/login/ checks no password itself: it sends to the site's log-in, guarded."""
    posted = client.post("/admin/login/", {"username": staff_member.username, "password": PASSWORD})
    assert posted.status_code == 302
    assert posted.url.startswith(SITE_LOGIN)
    assert SESSION_KEY not in client.session
    door = posted.url  # the site's log-in, with next=/admin/...

    for _ in range(30):
        site_login(client, staff_member.email, "wrong password", ATTACKER, url=door)
    refused = site_login(client, staff_member.email, PASSWORD, ATTACKER, url=door)
    assert_throttled(refused)
    assert SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302

    owner = Client()
    welcomed = site_login(owner, staff_member.email, PASSWORD, OWNER, url=door)
    assert welcomed.status_code == 302
    assert welcomed.url.startswith("/admin/")
    assert owner.get("/admin/", REMOTE_ADDR=OWNER).status_code == 200


def test_api_tokens_lock_the_guessing_address(member):
    made = token_create(user=member, name="script", scope=ApiToken.Scope.READ, days=30)
    attacker = APIClient(REMOTE_ADDR=ATTACKER)
    for number in range(30):
        guess = f"aimai_{made.token.prefix}_guess{number}"
        response = attacker.get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Bearer {guess}")
        assert response.status_code in (401, 429)
    refused = attacker.get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Bearer {made.secret}")
    assert_throttled(refused)
    assert refused.json()["code"] == "throttled"
    made.token.refresh_from_db()
    assert made.token.last_used_at is None

    owner = APIClient(REMOTE_ADDR=OWNER)
    served = owner.get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Bearer {made.secret}")
    assert served.status_code == 200
    made.token.refresh_from_db()
    assert made.token.last_used_at is not None


def test_behind_the_trusted_proxy_the_forwarded_address_counts(client, member, settings):
    """Behind one proxy, REMOTE_ADDR is the proxy for everyone: the lock follows the client
    address the proxy appended, and whatever the client wrote before it is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for number in range(30):
        client.post(
            SITE_LOGIN,
            {"login": member.email, "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, {ATTACKER}",  # spoofed, then real
        )
    refused = client.post(
        SITE_LOGIN,
        {"login": member.email, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=ATTACKER,
    )
    assert_throttled(refused)
    owner = Client()
    welcomed = owner.post(
        SITE_LOGIN,
        {"login": member.email, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=OWNER,
    )
    assert welcomed.status_code == 302


RECORD_FAILURES = """
import django, json, sys
django.setup()
from django.test import RequestFactory
from aimai_site import login_guard
request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=sys.argv[1])
for _ in range(10):
    login_guard.record_failure(request, login_guard.account_key(sys.argv[2]))
print(json.dumps({"done": True}))
"""


def test_another_process_sees_the_same_count(committed_demo_data):
    """Failures recorded by a separate process lock this one: the count is not per process."""
    from django.db import connection

    member = account_make("amina@example.org")
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="aimai_site.settings",
        AIMAI_TEST_DB_NAME=str(connection.settings_dict["NAME"]),
    )
    done = subprocess.run(
        [sys.executable, "-c", RECORD_FAILURES, ATTACKER, member.email],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"done": True}
    assert_throttled(site_login(Client(), member.email, PASSWORD, ATTACKER))
    assert site_login(Client(), member.email, PASSWORD, OWNER).status_code == 302


def test_allauths_own_limits_answer_429_with_retry_after(client, member, mailoutbox):
    """Password reset requests stay limited by allauth (per address and per e-mail)."""
    answers = [
        client.post("/accounts/password/reset/", {"email": member.email}).status_code
        for _ in range(6)
    ]
    assert answers[0] == 302
    refused = client.post("/accounts/password/reset/", {"email": member.email})
    assert_throttled(refused)
    assert len(mailoutbox) <= 5


def test_counts_keep_their_lifetime_in_the_database_cache(settings, db):
    """Without Redis the counts live in a table, whose `incr` would shorten their lifetime to
    the cache's default five minutes: a day's failures must be remembered for the day."""
    from datetime import UTC, timedelta

    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from aimai_site.ratelimit import count

    # the table the site counts in when REDIS_URL is unset, whatever this run uses
    settings.CACHES = {
        **settings.CACHES,
        "limits": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "aimai_cache",
            "KEY_PREFIX": settings.CACHES["limits"]["KEY_PREFIX"],
        },
    }
    call_command("createcachetable")  # as migrate makes it without Redis
    for _ in range(3):
        count("lifetime-check", 24 * 3600)
    key = caches["limits"].make_key("lifetime-check")
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM aimai_cache WHERE cache_key = %s", [key])
        (expires,) = cursor.fetchone()
    if isinstance(expires, str):
        from django.utils.dateparse import parse_datetime

        expires = parse_datetime(expires)
    if timezone.is_naive(expires):
        expires = expires.replace(tzinfo=UTC)
    assert expires - timezone.now() > timedelta(hours=23)
