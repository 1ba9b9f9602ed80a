"""Rate limits and the real client address, on the shared cache.

The counts live in the "limits" cache: Redis when REDIS_URL is set and a database table
otherwise, so every process of the site counts the same requests. Limits are keyed on
`client_address()`, the address the trusted proxies saw, never on REMOTE_ADDR alone: behind a
proxy that is the proxy's address, and one person could exhaust a limit meant for everyone.
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address: with TRUSTED_PROXY_COUNT = N proxies in front of the site, the
    N-th address from the right of X-Forwarded-For (the one the outermost trusted proxy saw);
    with none, REMOTE_ADDR. Whatever a client writes to the left of that is ignored."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            address = hops[-proxies] if len(hops) >= proxies else hops[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address[:64] or "unknown"


def count(key: str, timeout: int) -> int:
    """Add one to the counter `key` and return it; it is forgotten `timeout` seconds after its
    last change. `add` then `incr` are atomic on Redis, so concurrent requests from several
    processes are counted once each; `touch` keeps the timeout, which the database cache's
    `incr` would otherwise reset to the default five minutes."""
    limits = caches["limits"]
    limits.add(key, 0, timeout=timeout)
    try:
        value = limits.incr(key)
    except ValueError:  # expired between add and incr: a fresh count
        limits.set(key, 1, timeout=timeout)
        return 1
    limits.touch(key, timeout)
    return value


def rate_limited(key: str, limit: int, window_seconds: int) -> int:
    """Count one more use of `key` in a fixed window. Returns 0 while within `limit`, else the
    seconds until the window ends (for Retry-After)."""
    now = time.time()
    window = int(now) // window_seconds
    retry_after = max(1, int((window + 1) * window_seconds - now) + 1)
    used = count(f"ratelimit:{key}:{window}", window_seconds + 1)
    return retry_after if used > limit else 0
