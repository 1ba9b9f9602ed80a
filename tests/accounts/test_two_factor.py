"""Two-factor authentication (allauth's MFA): a TOTP app and recovery codes, optional for
members, required for staff, editors and reviewers when MFA_REQUIRED_FOR_STAFF is on."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.test import Client

from .conftest import PASSWORD, account_make

LOGIN = "/accounts/login/"


def code_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def password_step(client: Client, user):
    return client.post(LOGIN, {"login": user.email, "password": PASSWORD})


def test_a_member_sets_up_an_authenticator_app(client, member):
    assert password_step(client, member).status_code == 302
    # allauth asks for the password again before a security change
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked.url.startswith("/accounts/reauthenticate/")
    assert client.post(asked.url, {"password": PASSWORD}).status_code == 302
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=member).exists()
    done = client.post("/accounts/2fa/totp/activate/", {"code": code_now(secret)})
    assert done.status_code == 302
    types = set(Authenticator.objects.filter(user=member).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}


def test_with_an_authenticator_the_password_alone_does_not_log_in(client, member):
    secret = generate_totp_secret()
    TOTP.activate(member, secret)
    asked = password_step(client, member)
    assert asked.status_code == 302
    assert asked.url == "/accounts/2fa/authenticate/"
    assert SESSION_KEY not in client.session
    assert client.post(asked.url, {"code": "123456"}).status_code == 200
    assert SESSION_KEY not in client.session
    done = client.post(asked.url, {"code": code_now(secret)})
    assert done.status_code == 302
    assert client.session[SESSION_KEY] == str(member.pk)


def test_a_recovery_code_logs_in_once(client, member):
    TOTP.activate(member, generate_totp_secret())
    code = RecoveryCodes.activate(member).get_unused_codes()[0]
    asked = password_step(client, member)
    assert client.post(asked.url, {"code": code}).status_code == 302
    assert client.session[SESSION_KEY] == str(member.pk)

    again = Client()
    asked = password_step(again, member)
    assert again.post(asked.url, {"code": code}).status_code == 200
    assert SESSION_KEY not in again.session


def test_staff_and_editors_must_set_up_a_second_factor_when_required(settings, db):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = account_make("kwame@example.org", is_staff=True)
    editor = account_make("ines@example.org")
    editor.groups.add(Group.objects.get_or_create(name="Editors")[0])
    for user in (staff, editor):
        client = Client()
        client.force_login(user)
        sent = client.get("/compacts/")
        assert sent.status_code == 302
        assert sent.url.startswith("/accounts/2fa/totp/activate/")
        refused = client.post("/api/v1/organisations/", {"name": "X"})
        assert refused.status_code == 403
        assert refused.json()["code"] == "mfa_required"
        assert client.get("/accounts/2fa/totp/activate/").status_code in (200, 302)

        TOTP.activate(user, generate_totp_secret())
        assert client.get("/compacts/").status_code == 200


def test_members_are_not_required_and_nobody_is_when_the_setting_is_off(settings, member):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client = Client()
    client.force_login(member)
    assert client.get("/compacts/").status_code == 200

    settings.MFA_REQUIRED_FOR_STAFF = False
    staff = account_make("kwame@example.org", is_staff=True)
    client.force_login(staff)
    assert client.get("/compacts/").status_code == 200


def test_the_production_default_requires_it():
    import subprocess
    import sys

    code = "from aimai_site import settings as s; print(s.MFA_REQUIRED_FOR_STAFF)"
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789",
        "ALLOWED_HOSTS": "example.org",
        "REGISTRY_SIGNING_KEY": "unused",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"
