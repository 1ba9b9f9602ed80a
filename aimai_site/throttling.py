"""DRF throttling for anonymous and signed-in API use, on the shared "limits" cache.

The rates are read from settings at each request (DRF's own classes read them once, at
import), and the client is the real one behind the trusted proxies. A rate of "off" turns a
throttle off."""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from aimai_site.ratelimit import client_address


class _SettingsRate:
    @property
    def cache(self):
        return caches["limits"]

    def get_rate(self):
        # "off": no limit and no log of requests (DRF keeps one timestamp per request, so a
        # huge rate would make that log, read and written on every request, huge too)
        rate = settings.API_THROTTLE_RATES.get(self.scope)
        return None if rate in (None, "", "off") else rate

    def get_ident(self, request) -> str:
        return client_address(request)


class AnonymousThrottle(_SettingsRate, AnonRateThrottle):
    pass


class MemberThrottle(_SettingsRate, UserRateThrottle):
    """Signed-in use only: anonymous calls are AnonymousThrottle's."""

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)
