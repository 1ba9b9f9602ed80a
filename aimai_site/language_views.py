"""The language chooser: a plain link on every page, so it works without script."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from aimai_site.languages import language_codes, path_in_language, remember_language


@never_cache
def language_choose_view(request: HttpRequest, code: str) -> HttpResponse:
    """Remembers the choice (a cookie; a signed-in member's account too, for their e-mail) and
    opens the page the visitor came from, in that language, with its query string."""
    if code not in language_codes():
        raise Http404("No such language.")
    target = request.GET.get("next", "/")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    path, _, query = target.partition("?")
    response = HttpResponseRedirect(path_in_language(path, code) + (f"?{query}" if query else ""))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    if request.user.is_authenticated:
        remember_language(request.user, code)
    return response
