"""Answers for the account protections, the same on every page and API route."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from aimai_site.login_guard import LoginThrottled
from aimai_site.second_factor import SETUP_REQUIRED, second_factor_missing

# pages a privileged account without a second factor may still open: the account pages
# (where it sets one up, or logs out) and the files they need
SETUP_PATHS = ("/accounts/", "/static/", "/favicon.ico")


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def too_many_attempts(request: HttpRequest, message: str, retry_after: int) -> HttpResponse:
    """429 with Retry-After: the API's JSON error body under /api/, a page elsewhere."""
    if is_api(request):
        response = JsonResponse({"code": "throttled", "message": message, "fields": {}}, status=429)
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
        if request.path.startswith(SETUP_PATHS) or not second_factor_missing(request.user):
            return self.get_response(request)
        if is_api(request):
            return JsonResponse(
                {"code": "mfa_required", "message": SETUP_REQUIRED, "fields": {}}, status=403
            )
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('mfa_activate_totp')}?{query}")
