"""The cache may have a Redis of its own (CACHE_REDIS_URL); by default it shares the broker's."""

import json
import os
import subprocess
import sys
from pathlib import Path

from aimai_site.health import redis_check

ROOT = Path(__file__).resolve().parent.parent
SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION'], "
    "s.CACHES['limits']['LOCATION']]))"
)


def redis_settings(**env: str) -> list[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "aimai_site.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_cache_uses_the_brokers_redis_by_default():
    broker = "redis://127.0.0.1:6379/3"
    assert redis_settings(REDIS_URL=broker) == [broker, broker, broker]


def test_the_cache_has_a_redis_of_its_own_when_given_one():
    broker, cache = "redis://127.0.0.1:6379/3", "redis://cache.internal:6379/0"
    assert redis_settings(REDIS_URL=broker, CACHE_REDIS_URL=cache) == [broker, cache, cache]


def test_readiness_fails_when_the_caches_own_redis_does_not_answer(redis_url, settings):
    settings.REDIS_URL = redis_url
    settings.CACHE_REDIS_URL = redis_url
    assert redis_check() == (True, "ok")
    settings.CACHE_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    assert redis_check() == (False, "unreachable")
