"""Personal API tokens: made and revoked on the account page, sent as
`Authorization: Bearer <token>` (or `Token <token>`).

A token reads `aimai_<prefix>_<secret>`; the database keeps the prefix and a SHA-256 digest of
the whole token, never the token. Tokens are random (256 bits), so a fast digest is enough
(a password hash would only slow every API call). Only an account with a verified e-mail
address makes or uses one; a read-only token is refused on every writing method.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from aimai_site import login_guard
from aimai_site.accounts import has_verified_email
from aimai_site.models import ApiToken
from aimai_site.second_factor import SETUP_REQUIRED, second_factor_missing

KEYWORDS = {"bearer", "token"}
# token failures from an address count as one series, whatever token they name
GUESSED_ACCOUNT = "api-token"  # noqa: S105 (a cache key part, not a secret)
# messages, translated where they are raised
UNVERIFIED = gettext_noop("Verify your e-mail address before using API tokens.")
READ_ONLY = gettext_noop("This token is read-only: make a read-and-write token to change data.")
INVALID = gettext_noop("Invalid, expired or revoked token.")
PREFIX = re.compile(r"[0-9a-f]{12}")  # secrets.token_hex(6)
LAST_USE_PRECISION = timedelta(minutes=1)  # one write a minute at most per token


class TokenRefused(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token: shown once, never stored


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, user, name: str, scope: str, days: int) -> NewToken:
    if not has_verified_email(user):
        raise TokenRefused(_(UNVERIFIED))
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise TokenRefused(
            _("A token lasts from 1 to %(most)s days.") % {"most": settings.API_TOKEN_MAX_DAYS}
        )
    prefix = secrets.token_hex(6)
    raw = f"aimai_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=prefix,
        digest=_digest(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return NewToken(token, raw)


def token_revoke(*, user, pk: int) -> None:
    ApiToken.objects.filter(user=user, pk=pk).delete()


def token_find(raw: str) -> ApiToken | None:
    """The live token `raw` is, or None (unknown, wrong secret, expired)."""
    parts = raw.split("_")
    # the prefix is looked up: only what token_create makes (no NUL reaches the database)
    if len(parts) < 3 or parts[0] != "aimai" or not PREFIX.fullmatch(parts[1]):
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
        return None
    if token.expired or not token.user.is_active:
        return None
    return token


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`; failures count in the login guard, per address."""

    def authenticate(self, request):
        keyword, _space, raw = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
        if keyword.lower() not in KEYWORDS:
            return None
        login_guard_check(request)
        token = token_find(raw.strip())
        if token is None:
            login_guard.record_failure(request._request, GUESSED_ACCOUNT)
            raise exceptions.AuthenticationFailed(_(INVALID))
        if not has_verified_email(token.user):
            raise exceptions.AuthenticationFailed(_(UNVERIFIED))
        if second_factor_missing(token.user):
            raise exceptions.PermissionDenied(_(SETUP_REQUIRED))
        if token.scope == ApiToken.Scope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_(READ_ONLY))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


def login_guard_check(request) -> None:
    try:
        login_guard.check(request._request, GUESSED_ACCOUNT)
    except login_guard.LoginThrottled as exc:
        raise exceptions.Throttled(wait=exc.retry_after, detail=str(exc)) from None


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "aimai_site.tokens.TokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token, made on the account page (/accounts/tokens/) by an "
                "account with a verified e-mail address. Read-only tokens are refused on "
                "writing methods (403). Also accepted as `Authorization: Token <token>`."
            ),
        }
