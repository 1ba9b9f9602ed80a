"""/health/live says the process answers, touching nothing; /health/ready says whether the
site can serve: the database, Redis when configured, a worker's heartbeat and the registry's
signed head. A failing check is a 503 with Retry-After and a short reason, never a trace;
neither answer is ever cached, and neither needs a log-in, the right host or HTTPS."""

import json
import re
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aimai_site.celery import app
from aimai_site.health import HEARTBEAT_KEY
from aimai_site.tasks import worker_heartbeat_task
from registry import merkle
from registry.models import Entry
from registry.selectors import log_size
from registry.services import Event, registry_append, tree_head_current

pytestmark = pytest.mark.django_db

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def embedded(settings, eager_tasks):
    """The embedded default (no Redis, tasks in-process), even when the suite runs with Redis."""
    settings.REDIS_URL = ""
    settings.CACHE_REDIS_URL = ""


def ready(client, **headers):
    response = client.get("/health/ready", **headers)
    return response, json.loads(response.content)


def test_live_answers_ok_without_a_query(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/health/live")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert len(queries) == 0
    assert "no-store" in response["Cache-Control"]


def test_ready_on_the_embedded_default(client, embedded):
    response, body = ready(client)
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    checks = body["checks"]
    assert checks["database"] == {"ok": True, "status": "ok"}
    assert checks["redis"] == {"ok": True, "status": "not configured"}
    assert checks["worker"] == {"ok": True, "status": "in-process"}
    assert checks["registry"]["ok"] is True
    assert "no-store" in response["Cache-Control"]
    assert "Retry-After" not in response


def test_ready_verifies_the_signed_head_of_a_log_with_entries(client, embedded):
    registry_append([Event("test.health", "health-1", "/x", "a" * 64)])
    head = tree_head_current()
    response, body = ready(client)
    assert response.status_code == 200, body
    assert body["checks"]["registry"]["status"].endswith(
        f"the signed head of {head.tree_size} verifies"
    )


def test_ready_is_503_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = CLOSED_PORT_REDIS
    settings.HEALTH_CHECK_TIMEOUT = 1
    response, body = ready(client)
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.HEALTH_RETRY_AFTER)
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"] == {"ok": False, "status": "unreachable"}
    assert body["checks"]["database"]["ok"] is True
    assert "no-store" in response["Cache-Control"]
    assert "Traceback" not in response.content.decode()


def test_ready_is_503_when_an_entry_was_written_outside_the_registry(client, embedded):
    """A row added behind the service's back: the head no longer matches the entries."""
    size = log_size()
    document = merkle.canonical_json({"event": "forged", "id": "x"})
    Entry.objects.create(
        leaf_index=size,
        entry=document.decode(),
        leaf_hash=merkle.leaf_hash(document).hex(),
        event="forged",
        identifier="x",
        url="/x",
        digest="0" * 64,
        timestamp=0,
    )
    response, body = ready(client)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert body["checks"]["registry"] == {
        "ok": False,
        "status": "the log's head disagrees with its stored entries",
    }


@pytest.fixture
def queued_tasks():
    """Tasks go to a broker, as with REDIS_URL set: a worker has to run them."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


def test_ready_waits_for_a_workers_heartbeat(client, settings, queued_tasks):
    settings.HEALTH_WORKER_MAX_AGE = 300
    response, body = ready(client)
    assert response.status_code == 503
    assert body["checks"]["worker"] == {"ok": False, "status": "no heartbeat yet"}

    worker_heartbeat_task.apply()  # what a worker does when beat queues it
    response, body = ready(client)
    assert response.status_code == 200, body
    assert body["checks"]["worker"]["ok"] is True
    assert re.fullmatch(r"last heartbeat [0-9] s ago", body["checks"]["worker"]["status"])

    cache.set(HEARTBEAT_KEY, time.time() - 600, timeout=None)  # ten minutes without a worker
    response, body = ready(client)
    assert response.status_code == 503
    assert body["checks"]["worker"] == {"ok": False, "status": "last heartbeat 600 s ago"}


def test_a_worker_heartbeat_can_be_reported_without_being_required(client, settings, queued_tasks):
    settings.HEALTH_WORKER_MAX_AGE = 0
    response, body = ready(client)
    assert response.status_code == 200, body
    assert body["checks"]["worker"] == {"ok": True, "status": "no heartbeat yet"}


def test_beat_queues_the_heartbeat_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert entry["task"] == worker_heartbeat_task.name
    assert entry["schedule"] <= 60


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
def test_probes_answer_any_host_over_plain_http_in_production(client, settings, embedded, path):
    """A probe asks by the pod's address over HTTP: no 400 for the host, no HTTPS redirect,
    no log-in page."""
    settings.ALLOWED_HOSTS = ["aimai.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    settings.MFA_REQUIRED_FOR_STAFF = True
    response = client.get(path, HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400  # the rest is guarded


def test_probes_are_read_only(client):
    response = client.post("/health/ready")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.services
def test_ready_pings_the_configured_redis(client, settings, redis_url, eager_tasks):
    response, body = ready(client)
    assert body["checks"]["redis"] == {"ok": True, "status": "ok"}
    assert response.status_code == 200, body
