"""The account e-mails (address confirmation, password reset) greet with the site's name and
link to SITE_URL, whatever host or port the request came through; in development SITE_URL
follows PORT, the port `make run` serves on."""

import os
import subprocess
import sys

import pytest

from tests.accounts.conftest import account_make
from tests.test_settings import ROOT, SCRUBBED

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:18100"


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = SITE


def test_the_confirmation_mail_greets_with_the_site_name_and_links_to_site_url(
    client, site_url, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # sent once the sign-up commits
        response = client.post(
            "/accounts/signup/",
            {
                "email": "amina@example.org",
                "password1": "a long enough passphrase",
                "password2": "a long enough passphrase",
            },
            HTTP_HOST="localhost:9999",
        )
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.subject.startswith("[AI4NATIONS] ")
    assert mail.body.startswith("Hello from AI4NATIONS!")
    assert f"{SITE}/accounts/confirm-email/" in mail.body
    assert "Thank you for using AI4NATIONS!\n127.0.0.1:18100" in mail.body
    assert "localhost:9999" not in mail.body


def test_the_password_reset_mail_links_to_site_url(
    client, site_url, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    account_make("amina@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "amina@example.org"})
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.body.startswith("Hello from AI4NATIONS!")
    assert f"{SITE}/accounts/password/reset/key/" in mail.body
    assert "testserver" not in mail.body


def site_url_with(**env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in SCRUBBED | {"SITE_URL", "PORT"}}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "aimai_site.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_site_url_follows_the_port_in_development():
    assert site_url_with() == "http://127.0.0.1:8000"
    assert site_url_with(PORT="18100") == "http://127.0.0.1:18100"
    assert site_url_with(PORT="18100", SITE_URL="https://ai4nations.example/") == (
        "https://ai4nations.example"
    )


def test_make_run_hands_the_port_to_the_site():
    makefile = (ROOT / "Makefile").read_text()
    assert "\nexport PORT\n" in makefile
