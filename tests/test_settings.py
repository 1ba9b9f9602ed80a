"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from aimai_site.env import env_bool

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k3y-" + "x7Qz9" * 12
SIGNING_KEY = (
    Ed25519PrivateKey.generate()
    .private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    .decode()
)
# Not inherited from the test process: the settings under test, and the test-only async switch.
SCRUBBED = {
    "SECRET_KEY",
    "DEBUG",
    "DJANGO_ENV",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "REGISTRY_SIGNING_KEY",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="aimai.example.org")
    assert result.returncode != 0
    assert "DJANGO_ENV=production needs SECRET_KEY" in result.stderr
    result = manage(
        "check",
        DJANGO_ENV="production",
        ALLOWED_HOSTS="aimai.example.org",
        SECRET_KEY="django-insecure-development-only-never-use-in-production",
    )
    assert "DJANGO_ENV=production needs SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_the_registry_signing_key():
    result = manage(
        "check", DJANGO_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="aimai.example.org"
    )
    assert result.returncode != 0
    assert "DJANGO_ENV=production needs REGISTRY_SIGNING_KEY" in result.stderr


def test_production_refuses_to_start_without_hosts():
    result = manage("check", DJANGO_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="")
    assert "needs ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deployment_checklist_without_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="aimai.example.org",
        REGISTRY_SIGNING_KEY=SIGNING_KEY,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_a_boolean_that_is_neither_true_nor_false_is_an_error(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is neither true nor false"):
        env_bool("DEBUG", default=False)
    monkeypatch.setenv("DEBUG", "off")
    assert env_bool("DEBUG", default=True) is False


def test_an_unknown_log_level_is_a_clear_error():
    result = manage("check", LOG_LEVEL="chatty")
    assert result.returncode != 0
    assert "LOG_LEVEL='chatty': use one of CRITICAL, DEBUG, ERROR, INFO, WARNING." in result.stderr


def test_an_empty_boolean_means_the_default(monkeypatch):
    monkeypatch.setenv("DEBUG", "")
    assert env_bool("DEBUG", default=True) is True


def test_screenshots_outlive_the_next_test_session(artefacts, pytestconfig):
    # pytest-playwright empties its output folder when a session starts: `make test` runs two
    # sessions under CI, so screenshots kept there would be gone by the end
    output = (ROOT / pytestconfig.getoption("--output")).resolve()
    assert not artefacts.resolve().is_relative_to(output)
