"""Health checks for the orchestrator and the operator.

`/health/live`: the process answers (no database, no cache). `/health/ready`: every check that
the site needs to serve, as JSON: the database, Redis (when configured), a Celery worker's
heartbeat, and the checks the apps register (the registry's signed head). A check returns
(ok, detail); the detail is a short word or sentence, never a traceback.

Apps lower in the stack cannot be imported here: they register their checks in their
AppConfig.ready with `readiness_check`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

Check = Callable[[], tuple[bool, str]]
_registered: dict[str, Check] = {}

HEARTBEAT_KEY = "health:worker-heartbeat"
NOT_CONFIGURED = "not configured"
IN_PROCESS = "in-process"


def readiness_check(name: str, check: Check) -> None:
    _registered[name] = check


def database_check() -> tuple[bool, str]:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Readiness: the database does not answer: %s", exc)
        return False, "unreachable"
    return True, "ok"


def redis_check() -> tuple[bool, str]:
    """The broker's Redis and, when it has one of its own (CACHE_REDIS_URL), the cache's."""
    urls = dict.fromkeys(url for url in (settings.REDIS_URL, settings.CACHE_REDIS_URL) if url)
    if not urls:
        return True, NOT_CONFIGURED  # the embedded default: the cache is in process memory
    import redis

    for url in urls:
        client = redis.Redis.from_url(
            url,
            socket_timeout=settings.HEALTH_CHECK_TIMEOUT,
            socket_connect_timeout=settings.HEALTH_CHECK_TIMEOUT,
        )
        try:
            client.ping()
        except (redis.RedisError, OSError) as exc:
            logger.warning("Readiness: Redis does not answer: %s", exc)
            return False, "unreachable"
        finally:
            client.close()
    return True, "ok"


def heartbeat_write() -> None:
    """Called by the periodic heartbeat task, and by a worker when it starts."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)


def worker_check() -> tuple[bool, str]:
    """The age of the last heartbeat a worker wrote (beat queues the task every minute).
    HEALTH_WORKER_MAX_AGE=0 reports it without making readiness depend on it."""
    from aimai_site.celery import app

    if app.conf.task_always_eager:
        return True, IN_PROCESS  # tasks run in the process that queues them
    required = settings.HEALTH_WORKER_MAX_AGE > 0
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception as exc:  # a cache that is down says nothing about the worker
        logger.warning("Readiness: the heartbeat cannot be read: %s", exc)
        return not required, "unknown: the cache does not answer"
    if beat is None:
        return not required, "no heartbeat yet"
    age = max(0, int(time.time() - float(beat)))
    if required and age > settings.HEALTH_WORKER_MAX_AGE:
        return False, f"last heartbeat {age} s ago"
    return True, f"last heartbeat {age} s ago"


def readiness() -> tuple[bool, dict[str, dict]]:
    checks: dict[str, Check] = {
        "database": database_check,
        "redis": redis_check,
        "worker": worker_check,
        **_registered,
    }
    results: dict[str, dict] = {}
    ready = True
    for name, check in checks.items():
        if name != "database" and not results["database"]["ok"] and name in _registered:
            ok, detail = False, "skipped: the database does not answer"
        else:
            try:
                ok, detail = check()
            except Exception:  # a check that breaks is a failed check, logged, never shown
                logger.exception("Readiness check %s raised", name)
                ok, detail = False, "error"
        results[name] = {"ok": ok, "status": detail}
        ready = ready and ok
    return ready, results
