"""Middleware of the site: answers for the account protections, the same on every page and
API route; a refusal of the domain that reaches the top of a plain Django view (a download, a
chart) answered with its own status and message, not a server error (DRF views answer through
the API's exception handler before this is reached); a NUL character refused before any view
reads it; responses compressed, except where they may hold a secret."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from aimai_site.api import error_json, is_api_request
from aimai_site.errors import DomainError, InvalidInput
from aimai_site.languages import path_without_language
from aimai_site.login_guard import LoginThrottled
from aimai_site.second_factor import SETUP_REQUIRED, second_factor_missing

# pages a privileged account without a second factor may still open: the account pages
# (where it sets one up, or logs out) and the files they need
SETUP_PATHS = ("/accounts/", "/static/", "/favicon.ico")


def too_many_attempts(request: HttpRequest, message: str, retry_after: int) -> HttpResponse:
    """429 with Retry-After: the API's JSON error body under /api/, a page elsewhere."""
    if is_api_request(request):
        response = error_json("throttled", message, 429)
    else:
        context = {"message": message, "retry_after": retry_after}
        response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class LoginGuardMiddleware:
    """Turns a locked log-in attempt (raised by the login guard from inside any log-in form)
    into a 429 answer."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, LoginThrottled):
            return too_many_attempts(request, str(exception), exception.retry_after)
        return None


class SecondFactorRequiredMiddleware:
    """Sends a privileged account without a second factor to the set-up page before anything
    else (the API refuses it with 403)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if path_without_language(request.path).startswith(SETUP_PATHS) or not second_factor_missing(
            request.user
        ):
            return self.get_response(request)
        if is_api_request(request):
            return error_json("mfa_required", SETUP_REQUIRED, 403)
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('mfa_activate_totp')}?{query}")


class DomainErrorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if is_api_request(request):
            fields = (
                {exception.field: [exception.message]}
                if isinstance(exception, InvalidInput)
                else {}
            )
            return error_json(exception.code, exception.message, exception.http_status, fields)
        return render(
            request,
            "refused.html",
            {"message": exception.message, "status": exception.http_status},
            status=exception.http_status,
        )


class NulCharacterMiddleware:
    """A NUL character in the address is answered before any view reads it: PostgreSQL cannot
    store or compare text that holds one, so it would otherwise surface as a server error
    wherever a parameter reaches a query. Nothing lives at such a path (404); such a query
    string is malformed (400)."""

    MESSAGE = "The query string holds a NUL character (%00)."

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            raise Http404("Nothing lives at an address with a NUL character.")
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if is_api_request(request):
                return error_json("bad_request", self.MESSAGE, 400)
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class CompressionMiddleware(GZipMiddleware):
    """Pages and JSON gzip-compressed for clients that accept it (Django's GZipMiddleware: a
    strong ETag becomes weak, which If-None-Match compares weakly, so 304s still answer).

    Compression and secrets: BREACH guesses a secret in a compressed body from its size, when
    the attacker can also place text of its own in the same body. The CSRF token in every form
    is masked afresh on each response, so it cannot be guessed that way; session cookies are
    headers, never compressed. What is left are secrets shown in a page body: a new API token,
    a second factor's key and recovery codes. Those live under /accounts/ or are answered
    `no-store`, and are sent uncompressed."""

    UNCOMPRESSED_PATHS = ("/accounts/",)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if path_without_language(request.path).startswith(
            self.UNCOMPRESSED_PATHS
        ) or "no-store" in response.get("Cache-Control", ""):
            return response
        return super().process_response(request, response)
