"""In production the web server refuses to start until the static files are collected, with
a message saying what to run, rather than answering every page with a 500."""

import os
import subprocess
import sys

from tests.test_settings import GOOD_KEY, ROOT, SCRUBBED, SIGNING_KEY, manage

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "aimai.example.org",
    "REGISTRY_SIGNING_KEY": SIGNING_KEY,
}


def wsgi_load(**env: str) -> subprocess.CompletedProcess:
    """What gunicorn does first: import the WSGI application."""
    base = {k: v for k, v in os.environ.items() if k not in SCRUBBED | {"STATIC_ROOT"}}
    return subprocess.run(
        [sys.executable, "-c", "import aimai_site.wsgi"],
        cwd=ROOT,
        env={**base, **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_server_refuses_to_start_without_collected_static_files(tmp_path):
    empty = tmp_path / "static"
    empty.mkdir()
    started = wsgi_load(STATIC_ROOT=str(empty))
    assert started.returncode == 3
    assert f"Static files are not collected: {empty / 'staticfiles.json'} is missing" in (
        started.stderr
    )
    assert "manage.py collectstatic --noinput" in started.stderr
    # once collected, it starts
    collected = manage("collectstatic", "--noinput", STATIC_ROOT=str(empty), **PRODUCTION)
    assert collected.returncode == 0, collected.stderr
    started = wsgi_load(STATIC_ROOT=str(empty))
    assert started.returncode == 0, started.stderr
    assert started.stderr == ""


def test_development_needs_no_collected_static_files(tmp_path):
    base = {k: v for k, v in os.environ.items() if k not in SCRUBBED | {"STATIC_ROOT"}}
    started = subprocess.run(
        [sys.executable, "-c", "import aimai_site.wsgi"],
        cwd=ROOT,
        env={**base, "STATIC_ROOT": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 0, started.stderr
