"""A fixed-window rate limit on the shared cache (Redis when REDIS_URL is set).

Small on purpose: `cache.add` then `cache.incr` are atomic on Redis, so concurrent requests
from several processes are counted once each.
"""

import time

from django.core.cache import cache


def rate_limited(key: str, limit: int, window_seconds: int) -> bool:
    """Count one more use of `key`; True when it goes beyond `limit` in the current window."""
    bucket = f"ratelimit:{key}:{int(time.time()) // window_seconds}"
    cache.add(bucket, 0, timeout=window_seconds + 1)
    try:
        return cache.incr(bucket) > limit
    except ValueError:  # the window expired between add and incr: a fresh window
        cache.add(bucket, 1, timeout=window_seconds + 1)
        return False


def client_address(request) -> str:
    """The address a limit is counted against."""
    return request.META.get("REMOTE_ADDR", "")


def retry_after(window_seconds: int) -> int:
    """Seconds until the current fixed window ends (at least 1): a 429's Retry-After."""
    return max(1, window_seconds - int(time.time()) % window_seconds)
