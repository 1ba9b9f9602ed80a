"""One protection against password and token guessing, for every door.

The site's log-in (which the admin's log-in leads to) and the API's tokens all count their
failures here, in the shared "limits" cache, so every process of the site sees the same
count:

- per (client address, account): after LOGIN_FREE_ATTEMPTS failures, each further failure
  locks that pair for LOGIN_BACKOFF_SECONDS, doubled each time, up to
  LOGIN_BACKOFF_MAX_SECONDS. A success clears the pair.
- per client address: LOGIN_FAILURES_PER_ADDRESS_PER_HOUR failures on any accounts lock the
  address until the hour ends.

An attacker therefore locks out only themself: the account's owner logs in from another
address. A locked attempt is refused before the password is even checked, with 429 and
Retry-After.
"""

import hashlib
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import caches
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import ngettext

from aimai_site.ratelimit import client_address, count

PAIR_MEMORY_SECONDS = 24 * 3600  # failures on a pair are forgotten a day after the last one


class LoginThrottled(Exception):
    """Too many failed attempts from this address (on this account): wait `retry_after`."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(
            ngettext(
                "Too many failed attempts to log in from your address. "
                "Try again in %(seconds)d second.",
                "Too many failed attempts to log in from your address. "
                "Try again in %(seconds)d seconds.",
                self.retry_after,
            )
            % {"seconds": self.retry_after}
        )


def account_key(login: str) -> str:
    """The account a login names, whichever name is used (username or any of its e-mail
    addresses), so that spelling it differently does not reset the count."""
    login = (login or "").strip().lower()
    user = (
        get_user_model()
        .objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
        .only("pk")
        .first()
    )
    if user is None:
        from allauth.account.models import EmailAddress

        address = EmailAddress.objects.filter(email__iexact=login).only("user_id").first()
        if address is not None:
            return f"user:{address.user_id}"
        return "login:" + hashlib.sha256(login.encode()).hexdigest()[:32]
    return f"user:{user.pk}"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _keys(address: str, account: str) -> tuple[str, str, str]:
    pair = _digest(address, account)
    window = int(time.time()) // 3600
    return (
        f"login-guard:failures:{pair}",
        f"login-guard:locked:{pair}",
        f"login-guard:address:{_digest(address)}:{window}",
    )


def _remaining(locked_until) -> int:
    return int(locked_until - time.time()) + 1 if locked_until else 0


def check(request: HttpRequest, account: str) -> None:
    """Raise LoginThrottled when this address, or this address on this account, is locked."""
    address = client_address(request)
    _, locked_key, address_key = _keys(address, account)
    limits = caches["limits"]
    remaining = _remaining(limits.get(locked_key))
    if remaining > 0:
        raise LoginThrottled(remaining)
    if (limits.get(address_key) or 0) >= settings.LOGIN_FAILURES_PER_ADDRESS_PER_HOUR:
        raise LoginThrottled(3600 - int(time.time()) % 3600)


def record_failure(request: HttpRequest, account: str) -> None:
    address = client_address(request)
    failures_key, locked_key, address_key = _keys(address, account)
    count(address_key, 3600 + 1)
    failures = count(failures_key, PAIR_MEMORY_SECONDS)
    beyond = failures - settings.LOGIN_FREE_ATTEMPTS
    if beyond >= 0:
        delay = min(
            settings.LOGIN_BACKOFF_SECONDS * 2 ** min(beyond, 30),
            settings.LOGIN_BACKOFF_MAX_SECONDS,
        )
        caches["limits"].set(locked_key, time.time() + delay, timeout=int(delay) + 1)


def record_success(request: HttpRequest, account: str) -> None:
    failures_key, locked_key, _ = _keys(client_address(request), account)
    caches["limits"].delete_many([failures_key, locked_key])


class GuardBackend:
    """First in AUTHENTICATION_BACKENDS: refuses a locked attempt before any backend checks
    the password. It never logs anyone in itself (it always answers None)."""

    def authenticate(self, request, username=None, password=None, **credentials):
        if request is None:  # not a request from outside (a shell, a test helper)
            return
        login = username or credentials.get("email") or credentials.get("login") or ""
        check(request, account_key(login))
        return

    def get_user(self, user_id):
        """A session made by logging a user in without a password (a test's force_login,
        which names the first backend) still finds its user."""
        return ModelBackend().get_user(user_id)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is None:
        return
    login = credentials.get("username") or credentials.get("email") or ""
    record_failure(request, account_key(login))


def on_logged_in(sender, request, user, **kwargs) -> None:
    if request is not None:
        record_success(request, f"user:{user.pk}")
