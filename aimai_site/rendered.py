"""Content rendered once per digest: a chart, a page, a file whose bytes depend only on an
immutable input (a score set's digest) and a few parameters.

The bytes go into the shared cache (Redis in production), so every process serves the same
render. A miss must render, and rendering is what costs: misses are rate-limited per client
address, hits are free. Two processes missing the same key at once render it once: the second
waits briefly for the first's result.

Public pages (`rendered_page`) are rendered once too, but a page shows more than one score
set: the release list, draft notices, a country's compacts, the methodologies on offer. So
its key is not the digest alone but (current digest, public content generation, day, path,
sorted query): the generation changes on every event that may change what a page shows
(countries/current.py), so a cached page can never outlive the state it was rendered from,
and a new current score set shows at the next request. The generation and digest are read
from the cache, so a warm page, and a 304, make no database query. Only answers that are the
same for every anonymous visitor are kept: a request carrying a session or messages cookie,
or whose render used the session, set a cookie, queued a message or took a CSRF token, is
rendered for itself; so is anything but a 200.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers, quote_etag
from django.utils.http import parse_etags

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
    # the body gzip-compressed once, when it is stored: a hit then costs no compression
    gzipped: bytes | None = None


# text compresses; a PNG does not
COMPRESSIBLE = ("text/", "application/json", "image/svg+xml")
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def with_gzip(rendered: Rendered) -> Rendered:
    """The render with its compressed body, for the cache. A public render holds no secret,
    so it needs none of the per-response padding the compression middleware adds."""
    if rendered.gzipped is not None or not rendered.content_type.startswith(COMPRESSIBLE):
        return rendered
    return replace(rendered, gzipped=gzip.compress(rendered.body, compresslevel=6, mtime=0))


def bytes_response(request: HttpRequest, rendered: Rendered, etag: str) -> HttpResponse:
    """The render's bytes: compressed as stored when the client accepts gzip (the compression
    middleware leaves a response that has its encoding alone), with the ETag weakened as the
    middleware would; else as they are, with the strong ETag."""
    gzipped = getattr(rendered, "gzipped", None)  # a render cached before it had the field
    accepts = ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if gzipped is not None and accepts:
        response = HttpResponse(gzipped, content_type=rendered.content_type)
        response["Content-Encoding"] = "gzip"
        response["ETag"] = f"W/{etag}"
    else:
        response = HttpResponse(rendered.body, content_type=rendered.content_type)
        response["ETag"] = etag
    if gzipped is not None:
        patch_vary_headers(response, ["Accept-Encoding"])
    return response


class TooManyRenders(Exception):
    """This client has used its renders for now; `retry_after` is in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many renders; retry in {retry_after} s.")
        self.retry_after = retry_after


def rendered_key(kind: str, digest: str, params: dict[str, str]) -> str:
    """The cache key (and, quoted, the strong ETag) of one render."""
    canonical = json.dumps([kind, digest, sorted(params.items())], separators=(",", ":"))
    return f"rendered:{kind}:{digest}:{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


def rendered_etag(kind: str, digest: str, params: dict[str, str]) -> str:
    """The strong ETag of one render, quoted."""
    return quote_etag(rendered_key(kind, digest, params).removeprefix("rendered:"))


def rendered_known(request: HttpRequest, *, kind: str, digest: str, params: dict[str, str]) -> bool:
    """The client already holds this render (a matching If-None-Match), or the cache does:
    either way it was rendered, so its input exists, without asking the database."""
    etag = rendered_etag(kind, digest, params)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        return True
    return cache.get(rendered_key(kind, digest, params)) is not None


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
        result = with_gzip(render())
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
    etag = rendered_etag(kind, digest, params)
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
        response = bytes_response(request, result, etag)
    else:
        response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


# a page's URL does not name its digest: browsers and proxies keep it a minute, then ask again
# (a 304 when nothing changed, which costs no query)
PAGE_MAX_AGE = 60
# longer queries are rendered for themselves: a key per arbitrary query would only crowd out
# the pages people read
PAGE_QUERY_MAX = 512


def page_cacheable(request: HttpRequest) -> bool:
    """A request whose answer is the same for every anonymous visitor: a GET or HEAD without a
    session (so no signed-in user) and without messages waiting to be shown."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and len(request.META.get("QUERY_STRING", "")) <= PAGE_QUERY_MAX
    )


def _response_shared(request: HttpRequest, response: HttpResponse) -> bool:
    """The render is one every anonymous visitor may get: a plain 200 that left nothing of
    this request behind (no cookie, no message, no CSRF token or CSP nonce, no session
    written)."""
    messages = getattr(request, "_messages", None)
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and getattr(request, "_csp_nonce", None) is None  # a nonce is this response's own
        and not (messages is not None and getattr(messages, "_queued_messages", None))
        and not (session is not None and session.modified)
        and not response.has_header("Set-Cookie")
    )


def _page_headers(response: HttpResponse, etag: str | None = None) -> HttpResponse:
    if etag is not None:
        response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={PAGE_MAX_AGE}, must-revalidate"
    patch_vary_headers(response, ["Cookie"])  # signed-in visitors get their own page
    return response


def rendered_page(state: Callable[[], tuple[str, str]]):
    """Serve a public page's view from the cache for anonymous visitors; `state()` gives
    (current digest, public state) without a database query (see the module's note).

    The view sees the query in its sorted order, the order of the key, so a hit and a miss
    of one key are the same bytes."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not page_cacheable(request):
                return view(request, *args, **kwargs)
            digest, public = state()
            query = sorted(request.GET.lists(), key=lambda item: item[0])
            params = {
                "query": json.dumps(query, separators=(",", ":")),
                "state": public,
                "day": timezone.localdate().isoformat(),  # what a date decides shows daily
            }
            key = rendered_key(f"page:{request.path}", digest or "none", params)
            etag = quote_etag(key.removeprefix("rendered:"))
            response = get_conditional_response(request, etag=etag)
            if response is not None:
                return _page_headers(response, etag)
            found = cache.get(key)
            if found is not None:
                return _page_headers(bytes_response(request, found, etag))
            normalised = QueryDict(mutable=True)
            for name, values in query:
                normalised.setlist(name, values)
            normalised._mutable = False
            request.GET = normalised
            response = view(request, *args, **kwargs)
            if not _response_shared(request, response):
                return response
            if hasattr(response, "render") and callable(response.render):
                response.render()
            rendered = with_gzip(Rendered(response.content, response["Content-Type"]))
            cache.set(key, rendered, KEEP_SECONDS)
            return _page_headers(response, etag)

        return wrapper

    return decorate
