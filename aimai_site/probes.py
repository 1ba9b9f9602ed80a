"""The operator's addresses: /health/live, /health/ready and /metrics.

They are answered by `ProbeMiddleware`, near the top of the stack: before the host check (a
probe asks by the pod's address), the HTTPS redirect, sessions, the login and second-factor
requirements, rate limits and the page cache. Their answers are never cached.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

from aimai_site import health, metrics
from aimai_site.ratelimit import client_address


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
    return response


def live_view(request: HttpRequest) -> HttpResponse:
    """The process is up and answers; nothing else is asked."""
    return _no_store(JsonResponse({"status": "ok"}))


def ready_view(request: HttpRequest) -> HttpResponse:
    ready, checks = health.readiness()
    response = JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
    if not ready:
        response["Retry-After"] = str(settings.HEALTH_RETRY_AFTER)
    return _no_store(response)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus' text format, for the addresses in METRICS_ALLOWED_IPS only; a 404 for
    anyone else, as if there were nothing here."""
    if not metrics.address_allowed(client_address(request), settings.METRICS_ALLOWED_IPS):
        return _no_store(HttpResponse("Not found", status=404, content_type="text/plain"))
    return _no_store(HttpResponse(metrics.exposition(), content_type=metrics.CONTENT_TYPE))


PROBES = {"/health/live": live_view, "/health/ready": ready_view, "/metrics": metrics_view}


class ProbeMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = PROBES.get(request.path_info)
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405, content_type="text/plain")
            response["Allow"] = "GET, HEAD"
            return _no_store(response)
        return view(request)
