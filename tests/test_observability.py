"""Each request has an id (the caller's X-Request-ID when it is a safe short token), echoed in
the response and carried by every log line of the request and of the tasks it queues; logs
are JSON in production; /metrics counts requests by status, task failures and retries, for
the addresses allowed only."""

import json
import logging
import re
import socket
import uuid

import pytest
from prometheus_client import REGISTRY

from aimai_site import logs
from aimai_site.celery import app
from tests.test_settings import GOOD_KEY, SIGNING_KEY, manage

pytestmark = pytest.mark.django_db


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --- Request ids ---------------------------------------------------------------------------


def test_a_request_gets_an_id_in_its_response_and_its_log_lines(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/")
    rid = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == rid  # Django logs the 404 after the middleware has returned
    assert client.get("/no-such-page/")["X-Request-ID"] != rid  # a new one for each request


def test_a_safe_incoming_request_id_is_kept(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="lb-7f3a.42_x")
    assert response["X-Request-ID"] == "lb-7f3a.42_x"
    assert {r.request_id for r in caplog.records if r.name == "django.request"} == {"lb-7f3a.42_x"}


@pytest.mark.parametrize(
    "incoming", ["two words", "x" * 65, "<script>", "a\u00e9b", "a,b", "", "id\\n"]
)
def test_an_unsafe_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/health/live", HTTP_X_REQUEST_ID=incoming)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_outside_a_request_a_log_line_has_no_id(caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("aimai_site.test").info("between requests")
    assert caplog.records[-1].request_id == "-"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_task_queued_by_a_request_logs_with_its_id(
    client, settings, eager_tasks, caplog, django_capture_on_commit_callbacks
):
    """A password reset queues its e-mail; the mail server is down, and the task's log line
    carries the id of the request that queued it (here run after the request ended)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS = False
    with (
        caplog.at_level(logging.ERROR, logger="aimai_site.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/accounts/password/reset/",
            {"email": f"{uuid.uuid4().hex[:8]}@example.org"},
            HTTP_X_REQUEST_ID="reset-request-1",
        )
    assert response.status_code in (200, 302)
    (record,) = [r for r in caplog.records if "could not be sent" in r.getMessage()]
    assert record.request_id == "reset-request-1"


def test_a_queued_task_message_carries_the_request_id(settings):
    """Sent to a broker (not run in-process), the id travels in the message's headers, and the
    worker's task_prerun puts it back for the task's log lines."""
    sent = []

    def capture(headers=None, **kwargs):
        sent.append(dict(headers))

    from celery import signals

    signals.before_task_publish.connect(capture, weak=False)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    token = logs.request_id.set("queued-by-42")
    try:
        app.send_task("aimai_site.tasks.worker_heartbeat_task", queue=f"t-{uuid.uuid4().hex}")
    finally:
        logs.request_id.reset(token)
        app.conf.task_always_eager = eager
        signals.before_task_publish.disconnect(capture)
    assert sent[-1]["request_id"] == "queued-by-42"


@pytest.mark.services
def test_a_real_worker_logs_a_task_with_the_id_of_the_request_that_queued_it(
    committed_demo_data, celery_workers
):
    """Published to Redis under the id (as the request's middleware sets it), run by a worker
    process: the worker's log line for the task carries that id."""
    worker = celery_workers()
    token = logs.request_id.set("from-request-7")
    try:
        app.send_task("aimai_site.tasks.worker_heartbeat_task", queue=celery_workers.queue)
    finally:
        logs.request_id.reset(token)
    worker.wait_for_log("[from-request-7]")


# --- JSON logs -----------------------------------------------------------------------------


def test_the_json_formatter_writes_one_object_a_line():
    record = logging.LogRecord("aimai_site.x", logging.ERROR, __file__, 1, "a %s", ("b",), None)
    token = logs.request_id.set("abc")
    try:
        record = logging.getLogRecordFactory()(
            "aimai_site.x", logging.ERROR, __file__, 1, "a %s", ("b",), None
        )
    finally:
        logs.request_id.reset(token)
    line = logs.JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "ERROR"
    assert data["logger"] == "aimai_site.x"
    assert data["message"] == "a b"
    assert data["request_id"] == "abc"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", data["time"])


def test_json_logs_are_the_production_default():
    code = "import logging; logging.getLogger('aimai_site.probe').warning('hello')"
    production = {
        "DJANGO_ENV": "production",
        "ALLOWED_HOSTS": "aimai.example.org",
        "SECRET_KEY": GOOD_KEY,
        "REGISTRY_SIGNING_KEY": SIGNING_KEY,
    }
    result = manage("shell", "-c", code, **production)
    assert result.returncode == 0, result.stderr
    (line,) = [x for x in result.stderr.splitlines() if "aimai_site.probe" in x]
    assert json.loads(line) | {"time": "-"} == {
        "time": "-",
        "level": "WARNING",
        "logger": "aimai_site.probe",
        "message": "hello",
        "request_id": "-",
    }
    result = manage("shell", "-c", code, LOG_FORMAT="text", **production)
    (line,) = [x for x in result.stderr.splitlines() if "aimai_site.probe" in x]
    assert line.endswith("WARNING aimai_site.probe [-] hello")
    assert manage("check", LOG_FORMAT="xml").returncode != 0


# --- Metrics -------------------------------------------------------------------------------


def test_requests_are_counted_by_method_and_status(client):
    ok = sample("aimai_http_requests_total", method="GET", status="200")
    missing = sample("aimai_http_requests_total", method="GET", status="404")
    timed = sample("aimai_http_request_duration_seconds_count", method="GET")
    client.get("/health/live")
    client.get("/no-such-page/")
    client.get("/no-such-page/")
    assert sample("aimai_http_requests_total", method="GET", status="200") == ok + 1
    assert sample("aimai_http_requests_total", method="GET", status="404") == missing + 2
    assert sample("aimai_http_request_duration_seconds_count", method="GET") == timed + 3


def test_an_unknown_method_is_counted_as_other(client):
    before = sample("aimai_http_requests_total", method="other", status="405")
    client.generic("BREW", "/health/live")
    assert sample("aimai_http_requests_total", method="other", status="405") == before + 1


@app.task(name="tests.observability.always_fails")
def always_fails():
    raise ValueError("this task fails")


@app.task(bind=True, name="tests.observability.retries_once", max_retries=1)
def retries_once(self):
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return "second try"


# Run as a worker runs them: the error is recorded, not raised into the caller. (Run
# in-process by the embedded default, a task's error propagates into the request that queued
# it, and is counted as that request's 500.)


def test_a_failed_task_is_counted():
    before = sample("aimai_celery_task_failures_total", task="tests.observability.always_fails")
    result = always_fails.apply(throw=False)
    assert result.failed()
    after = sample("aimai_celery_task_failures_total", task="tests.observability.always_fails")
    assert after == before + 1


def test_a_retried_task_is_counted():
    before = sample("aimai_celery_task_retries_total", task="tests.observability.retries_once")
    result = retries_once.apply(throw=False)
    assert result.get() == "second try"
    after = sample("aimai_celery_task_retries_total", task="tests.observability.retries_once")
    assert after == before + 1
    assert sample("aimai_celery_task_failures_total", task="tests.observability.retries_once") == 0


def test_metrics_are_exposed_to_allowed_addresses_only(client, settings):
    client.get("/health/live")
    response = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert re.search(r'^aimai_http_requests_total\{method="GET",status="200"\} \d', text, re.M)
    assert "aimai_http_request_duration_seconds_bucket" in text
    assert "# TYPE aimai_celery_task_failures_total counter" in text
    assert re.search(r"^aimai_outbox_backlog 0\.0$", text, re.M)

    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.2.3.4").status_code == 200


def test_metrics_follow_the_trusted_proxy_address(client, settings):
    """Behind a proxy on the same host every request comes from 127.0.0.1: the address the
    proxy saw decides."""
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200
