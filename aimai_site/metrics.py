"""Counters for Prometheus: requests by method and status, their latency, Celery task failures
and retries, and the outbox backlog.

One process: the values live in memory and `/metrics` shows them. Several processes (gunicorn
workers, Celery's prefork children): set PROMETHEUS_MULTIPROC_DIR to an empty directory
shared by the processes of one host, emptied at each start; each process then writes its
values there and `/metrics` adds them up (prometheus_client's multiprocess mode).

Loaded by the Celery app before the apps are ready: nothing here imports a model.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUESTS = Counter(
    "aimai_http_requests", "HTTP requests answered, by method and status.", ["method", "status"]
)
LATENCY = Histogram(
    "aimai_http_request_duration_seconds",
    "Time from the request reaching the site to its response, by method.",
    ["method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
TASK_FAILURES = Counter("aimai_celery_task_failures", "Celery tasks that raised.", ["task"])
TASK_RETRIES = Counter("aimai_celery_task_retries", "Celery task retries.", ["task"])


def _no_outbox() -> int:
    # until the app registers the outbox's count (aimai_site.apps), at start-up
    return 0


_outbox_backlog: Callable[[], int] = _no_outbox


def outbox_backlog_source(count: Callable[[], int]) -> None:
    global _outbox_backlog
    _outbox_backlog = count


class OutboxCollector(Collector):
    """The backlog read when Prometheus asks, never a stored value."""

    def collect(self):
        yield GaugeMetricFamily(
            "aimai_outbox_backlog",
            "Jobs recorded in the outbox and not yet sent to the broker.",
            _outbox_backlog(),
        )


OUTBOX = OutboxCollector()
REGISTRY.register(OUTBOX)


def method_label(method: str) -> str:
    return method if method in METHODS else "other"  # a client may send any word


class MetricsMiddleware:
    """Counts every response, from the top of the middleware stack: redirects, refusals and
    errors too."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        method = method_label(request.method or "")
        LATENCY.labels(method).observe(time.perf_counter() - start)
        REQUESTS.labels(method, str(response.status_code)).inc()
        return response


def task_failed(sender=None, **kwargs) -> None:
    TASK_FAILURES.labels(getattr(sender, "name", "unknown")).inc()


def task_retried(sender=None, **kwargs) -> None:
    TASK_RETRIES.labels(getattr(sender, "name", "unknown")).inc()


def exposition() -> bytes:
    """The metrics in Prometheus' text format: this process's, or, in multiprocess mode, the
    sum over every process that wrote to PROMETHEUS_MULTIPROC_DIR."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(OUTBOX)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


CONTENT_TYPE = CONTENT_TYPE_LATEST


def address_allowed(address: str, allowed: list[str]) -> bool:
    """Whether `address` is one of `allowed`: addresses or networks (`10.0.0.0/8`)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for item in allowed:
        try:
            if ip in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            continue
    return False
