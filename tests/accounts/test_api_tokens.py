"""Personal API tokens: made on the account page, shown once, stored hashed, scoped, expiring,
revocable; only for accounts with a verified e-mail. HTTP Basic passwords are not taken."""

import base64
import hashlib
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from aimai_site.models import ApiToken
from aimai_site.tokens import token_create
from compacts.models import Organisation

from .conftest import PASSWORD, account_make

ORGANISATION = {"name": "Lagos Language Lab", "kind": "research", "country": "nga"}


def api(token: str | None = None, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token}")
    return client


def make_on_the_page(client, **fields):
    data = {"name": "my script", "scope": "read_write", "days": 30} | fields
    return client.post("/accounts/tokens/", data)


def test_a_token_is_shown_once_and_stored_hashed(client, member):
    client.force_login(member)
    menu = client.get("/accounts/email/").content.decode()
    assert 'href="/accounts/tokens/"' in menu
    assert 'href="/accounts/2fa/"' in menu
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200
    assert "You have no API tokens." in page.content.decode()

    made = make_on_the_page(client)
    assert made.status_code == 200
    assert made["Cache-Control"] == "no-store"
    secret = made.context["new_token"].secret
    assert secret.startswith("aimai_")
    assert secret in made.content.decode()
    stored = ApiToken.objects.get(user=member)
    assert stored.name == "my script"
    assert stored.scope == "read_write"
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.prefix, stored.digest, stored.name}
    assert timedelta(days=29) < stored.expires_at - timezone.now() <= timedelta(days=30)

    again = client.get("/accounts/tokens/").content.decode()
    assert secret not in again
    assert f"aimai_{stored.prefix}_" in again
    assert "never" in again


def test_a_read_write_token_writes_and_records_its_last_use(member):
    made = token_create(user=member, name="w", scope=ApiToken.Scope.READ_WRITE, days=30)
    created = api(made.secret).post("/api/v1/organisations/", ORGANISATION, format="json")
    assert created.status_code == 201, created.content
    assert Organisation.objects.filter(name="Lagos Language Lab").exists()
    made.token.refresh_from_db()
    assert made.token.last_used_at is not None
    # `Token <token>` is the same
    listed = api(made.secret, keyword="Token").get("/api/v1/organisations/")
    assert listed.status_code == 200


def test_a_read_only_token_is_refused_on_writes_with_a_message(member):
    made = token_create(user=member, name="r", scope=ApiToken.Scope.READ, days=30)
    client = api(made.secret)
    assert client.get("/api/v1/organisations/").status_code == 200
    for method in ("post", "put", "patch", "delete"):
        refused = getattr(client, method)("/api/v1/organisations/", ORGANISATION, format="json")
        assert refused.status_code == 403
        assert "read-only" in refused.json()["message"]
    assert not Organisation.objects.filter(name="Lagos Language Lab").exists()


def test_expired_revoked_and_wrong_tokens_are_refused(client, member):
    expired = token_create(user=member, name="old", scope=ApiToken.Scope.READ_WRITE, days=1)
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    refused = api(expired.secret).post("/api/v1/organisations/", ORGANISATION, format="json")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert refused.json()["code"] == "authentication_failed"

    live = token_create(user=member, name="live", scope=ApiToken.Scope.READ_WRITE, days=1)
    wrong = live.secret[:-4] + "AAAA"
    assert api(wrong).get("/api/v1/organisations/").status_code == 401

    client.force_login(member)
    assert client.post(f"/accounts/tokens/{live.token.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.filter(pk=live.token.pk).exists()
    assert api(live.secret).get("/api/v1/organisations/").status_code == 401


def test_expiry_is_required_and_bounded(client, member, settings):
    settings.API_TOKEN_MAX_DAYS = 90
    client.force_login(member)
    for days in ("", "0", "91"):
        refused = make_on_the_page(client, days=days)
        assert refused.status_code == 400
    assert not ApiToken.objects.exists()
    assert make_on_the_page(client, days=90).status_code == 200


def test_only_a_member_revokes_their_own_tokens(client, member):
    other = account_make("kofi@example.org")
    theirs = token_create(user=other, name="x", scope=ApiToken.Scope.READ, days=5)
    client.force_login(member)
    client.post(f"/accounts/tokens/{theirs.token.pk}/revoke/")
    assert ApiToken.objects.filter(pk=theirs.token.pk).exists()


def test_an_unverified_account_neither_makes_nor_uses_tokens(client, db):
    unverified = account_make("new@example.org", verified=False)
    client.force_login(unverified)
    page = client.get("/accounts/tokens/").content.decode()
    assert "Verify your e-mail address" in page
    assert make_on_the_page(client).status_code == 403
    assert not ApiToken.objects.exists()

    # a token made while verified stops working once the address is no longer verified
    member = account_make("was@example.org")
    made = token_create(user=member, name="w", scope=ApiToken.Scope.READ_WRITE, days=5)
    member.emailaddress_set.update(verified=False)
    refused = api(made.secret).post("/api/v1/organisations/", ORGANISATION, format="json")
    assert refused.status_code == 401
    assert "Verify your e-mail" in refused.json()["message"]


def test_basic_passwords_are_not_accepted(member):
    basic = base64.b64encode(f"{member.username}:{PASSWORD}".encode()).decode()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {basic}")
    refused = client.post("/api/v1/organisations/", ORGANISATION, format="json")
    assert refused.status_code in (401, 403)
    assert not Organisation.objects.filter(name="Lagos Language Lab").exists()


def test_the_schema_documents_the_token_scheme_and_no_basic(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["personalToken"]["type"] == "http"
    assert schemes["personalToken"]["scheme"] == "bearer"
    assert "basicAuth" not in schemes
    assert "cookieAuth" in schemes


def test_staff_see_tokens_without_their_secret_and_can_revoke_them(client, member, staff_member):
    made = token_create(user=member, name="script", scope=ApiToken.Scope.READ, days=5)
    client.force_login(staff_member)
    listing = client.get("/admin/aimai_site/apitoken/").content.decode()
    assert made.token.prefix in listing
    assert made.secret not in listing
    url = f"/admin/aimai_site/apitoken/{made.token.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_an_anonymous_write_is_told_to_send_a_token(db):
    refused = APIClient().post("/api/v1/organisations/", ORGANISATION, format="json")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'
    assert refused.json()["code"] == "not_authenticated"
