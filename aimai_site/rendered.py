"""Content rendered once per digest: a chart, a page, a file whose bytes depend only on an
immutable input (a score set's digest) and a few parameters.

The bytes go into the shared cache (Redis in production), so every process serves the same
render. A miss must render, and rendering is what costs: misses are rate-limited per client
address, hits are free. Two processes missing the same key at once render it once: the second
waits briefly for the first's result.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, quote_etag

from aimai_site.ratelimit import client_address, rate_limited

# an immutable render can stay as long as the cache keeps it; the cache evicts what is unused
KEEP_SECONDS = 30 * 24 * 3600
# the longest a second process waits for a render that another one has under way
WAIT_SECONDS = 15.0
RENDER_WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Rendered:
    body: bytes
    content_type: str


class TooManyRenders(Exception):
    """This client has used its renders for now; `retry_after` is in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many renders; retry in {retry_after} s.")
        self.retry_after = retry_after


def rendered_key(kind: str, digest: str, params: dict[str, str]) -> str:
    """The cache key (and, quoted, the strong ETag) of one render."""
    canonical = json.dumps([kind, digest, sorted(params.items())], separators=(",", ":"))
    return f"rendered:{kind}:{digest}:{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


def rendered_once(
    request: HttpRequest,
    *,
    kind: str,
    digest: str,
    params: dict[str, str],
    render: Callable[[], Rendered],
) -> Rendered:
    """The cached render of (kind, digest, params), rendering it on a miss unless the client
    has rendered too much lately (TooManyRenders)."""
    key = rendered_key(kind, digest, params)
    found = cache.get(key)
    if found is not None:
        return found
    address = client_address(request)
    wait = rate_limited(f"render:{address}", settings.RENDERS_PER_MINUTE, RENDER_WINDOW_SECONDS)
    if wait:
        raise TooManyRenders(wait)
    lock = f"{key}:rendering"
    if not cache.add(lock, 1, timeout=int(WAIT_SECONDS) + 5):
        found = _wait_for(key)
        if found is not None:
            return found
    try:
        result = render()
        cache.set(key, result, timeout=KEEP_SECONDS)
    finally:
        cache.delete(lock)
    return result


def _wait_for(key: str) -> Rendered | None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.1)
        found = cache.get(key)
        if found is not None:
            return found
    return None


def rendered_response(
    request: HttpRequest,
    *,
    kind: str,
    digest: str,
    params: dict[str, str],
    render: Callable[[], Rendered],
    immutable: bool,
    max_age: int = 300,
) -> HttpResponse:
    """The HTTP answer for one render: 304 to a matching conditional GET (without rendering),
    else the cached or fresh bytes; a strong ETag from digest and parameters; 429 with
    Retry-After when a miss is over the client's render budget.

    `immutable`: the URL itself names the digest, so its content can never change."""
    etag = quote_etag(rendered_key(kind, digest, params).removeprefix("rendered:"))
    cache_control = (
        "public, max-age=31536000, immutable" if immutable else f"public, max-age={max_age}"
    )
    response = get_conditional_response(request, etag=etag)
    if response is None:
        try:
            result = rendered_once(request, kind=kind, digest=digest, params=params, render=render)
        except TooManyRenders as exc:
            response = HttpResponse(
                "Too many charts rendered from your address: try again shortly.\n",
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        response = HttpResponse(result.body, content_type=result.content_type)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response
