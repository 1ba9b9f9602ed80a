"""Every response carries the Content-Security-Policy (scripts from files or with the page's
nonce: no 'unsafe-inline', no 'unsafe-eval'), refuses framing, and sets a Permissions-Policy;
pages hold no inline script, event handler or style that the policy would block."""

import os
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

from countries.models import DataRelease, ScoreSet
from tests.test_settings import ROOT

pytestmark = pytest.mark.django_db

ANONYMOUS = [
    "/",
    "/?field=burden",
    "/countries/",
    "/countries/KEN/",
    "/methodology/",
    "/releases/",
    "/data/check/",
    "/registry/",
    "/compacts/",
    "/clusters/",
    "/clusters/no-such-cluster/",
    "/join/",
    "/principles/",
    "/principles/1/",
    "/members/",
    "/members/?region=Africa&way=compacts",
    "/participate/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/admin/login/",
    "/api/docs/",
    "/api/docs/?script",
    "/api/redoc/",
    "/api/schema/",
    "/api/v1/",
    "/api/v1/countries/",
    "/api/v1/countries/KEN/",
    "/api/v1/clusters/",
    "/api/v1/members/",
    "/api/v1/no-such-thing/",
    "/no-such-page/",
    "/downloads/scores.csv",
    "/downloads/scores.json",
    "/charts/concentration.json",
    "/charts/scatter.svg",
    "/assets/vega.js",
]
STAFF = [
    "/admin/",
    "/admin/countries/datarelease/",
    "/admin/registry/entry/",
    "/compacts/dashboard/",
    "/clusters/",
    "/clusters/propose/",
    "/join/",
    "/join/membership/",
    "/join/review/",
    "/principles/new/",
    "/admin/compacts/alliancemembership/",
    "/admin/compacts/principles/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/tokens/",
    "/accounts/delete/",
    "/accounts/2fa/",
    "/accounts/logout/",
]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class Inline(HTMLParser):
    """What a page holds inline: scripts, styles, event-handler and style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self.styles: list[dict] = []
        self.handlers: list[str] = []
        self.style_attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            self.scripts.append(attributes)
        if tag == "style":
            self.styles.append(attributes)
        self.handlers += [f"<{tag} {name}>" for name in attributes if name.startswith("on")]
        if "style" in attributes:
            self.style_attributes.append(f"<{tag} style={attributes['style']!r}>")


def check_headers(response, path: str) -> None:
    directives = policy(response)
    scripts = directives["script-src"]
    assert "'unsafe-inline'" not in scripts, path
    assert "'unsafe-eval'" not in scripts, path
    assert directives["default-src"] == ["'self'"], path
    assert directives["object-src"] == ["'none'"], path
    assert directives["frame-ancestors"] == ["'none'"], path
    assert response["X-Frame-Options"] == "DENY", path
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions, path
    if "text/html" not in response["Content-Type"]:
        return
    nonces = {value.removeprefix("'nonce-").removesuffix("'") for value in scripts}
    page = Inline()
    page.feed(response.content.decode())
    for script in page.scripts:  # data islands are not run; anything else needs the nonce
        assert script.get("type") == "application/json" or script.get("nonce") in nonces, path
    assert page.handlers == [], path
    assert page.style_attributes == [], path
    if "'unsafe-inline'" not in directives["style-src"]:
        style_nonces = {
            v.removeprefix("'nonce-").removesuffix("'") for v in directives["style-src"]
        }
        for style in page.styles:
            assert style.get("nonce") in style_nonces, path


@pytest.mark.parametrize("path", ANONYMOUS)
def test_every_anonymous_response_carries_the_policies(client, path):
    response = client.get(path)
    # /admin/login/ sends to the site's; /assets/vega.js to the chart library's static file
    assert response.status_code in (200, 301, 302, 404), path
    check_headers(response, path)


def test_every_staff_page_carries_the_policies(client):
    staff = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 12)
    client.force_login(staff)
    release = DataRelease.objects.published().first()
    pages = [*STAFF, f"/admin/countries/datarelease/{release.pk}/change/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        check_headers(response, path)


def test_downloads_and_errors_carry_the_policies_too(client):
    digest = ScoreSet.objects.for_methodology("aimai-default").current().digest
    for path, status in [
        (f"/charts/map.json?score_set={digest}", 200),
        ("/downloads/observations/demo-2026-11.csv", 200),
        ("/downloads/observations/no-such-release.csv", 404),
        ("/charts/map.svg?score_set=" + "0" * 64, 404),
    ]:
        response = client.get(path)
        assert response.status_code == status, path
        check_headers(response, path)
    refused = client.post("/api/v1/countries/", {})
    assert refused.status_code in (401, 403, 405)
    check_headers(refused, "POST /api/v1/countries/")


def test_inline_scripts_carry_a_fresh_nonce_per_response(client):
    first, second = client.get("/api/redoc/"), client.get("/api/redoc/")
    nonce_of = [policy(r)["script-src"][-1] for r in (first, second)]
    assert all(n.startswith("'nonce-") for n in nonce_of)
    assert nonce_of[0] != nonce_of[1]
    assert f'nonce="{nonce_of[0][7:-1]}"' in first.content.decode()


def test_the_api_docs_keep_a_same_origin_opener_policy(client):
    for path in ("/api/docs/", "/api/redoc/"):
        response = client.get(path)
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    # the Swagger UI settings are a script file of their own, not inline
    docs = client.get("/api/docs/").content.decode()
    assert '<script src="/api/docs/?script=">' in docs
    assert client.get("/api/docs/?script")["Content-Type"].startswith("application/javascript")


def test_violation_reports_go_where_the_setting_says():
    probe = (
        "from django.conf import settings; import django; django.setup(); "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES'].get('report-uri'))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "aimai_site.settings"}
    for value, expected in [
        ("https://reports.example.org/csp", "['https://reports.example.org/csp']"),
        ("", "None"),
    ]:
        run = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=ROOT,
            env={**env, "CSP_REPORT_URI": value},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert run.stdout.strip() == expected
