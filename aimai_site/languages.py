"""The platform's languages: which one a request is answered in, and how a visitor changes it.

Pages carry their language in the address: English at the plain address (`/countries/KEN/`),
the others under a prefix (`/fr/countries/KEN/`, `/ar/...`). A shared address therefore opens
in the language it was shared in, with all its state (filters, compared countries, explorer
settings: the query string is never touched), and every cache keys a page by its address.

A plain page address is a visitor's first way in: one who chose another language (the
`language` cookie, set by the chooser) or whose browser asks for one (`Accept-Language`) is
sent to the same address under that language's prefix; so plain pages vary on both.

What is not a page has one address in every language. The API's messages and the admin
follow the cookie, else `Accept-Language`; files, charts, feeds and the OpenAPI schema are
locale-neutral: always English, whoever asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers

DEFAULT_LANGUAGE = "en"
# the prefixed languages: every language but the default
_PREFIX = re.compile(r"^/(?P<code>[a-z]{2})(?=/)")
SAFE_METHODS = frozenset({"GET", "HEAD"})
# what is not a page but speaks to people in their language; the rest is locale-neutral
SPEAKING_PREFIXES = ("/api/v1/", "/admin/")


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def path_language(path: str) -> str | None:
    """The language an address names by its prefix, if any (never the default's)."""
    match = _PREFIX.match(path)
    if match and match["code"] in language_codes() and match["code"] != DEFAULT_LANGUAGE:
        return match["code"]
    return None


def path_without_language(path: str) -> str:
    """The address as it reads in the default language: `/fr/countries/` -> `/countries/`."""
    code = path_language(path)
    return path[len(code) + 1 :] if code else path


def is_page(path: str) -> bool:
    """Whether a plain address is one of the pages that exist in every language."""
    with translation.override("fr"):
        return is_valid_path(f"/fr{path}")


def path_in_language(path: str, code: str) -> str:
    """The same page in another language; an address that is not a page is left as it is."""
    plain = path_without_language(path)
    if code == DEFAULT_LANGUAGE or not is_page(plain):
        return plain
    return f"/{code}{plain}"


def preferred_language(request: HttpRequest) -> str:
    """The visitor's choice (cookie), else their browser's (`Accept-Language`), else English."""
    return translation.get_language_from_request(request, check_path=False)


class LanguageMiddleware:
    """Activates each request's language (see the module's note); replaces Django's
    LocaleMiddleware, which always answers plain addresses in the default language."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = path_language(request.path_info)
        plain_page = code is None and is_page(request.path_info)
        if code is None:
            speaks = request.path_info.startswith(SPEAKING_PREFIXES)
            code = preferred_language(request) if speaks else DEFAULT_LANGUAGE
            if plain_page and request.method in SAFE_METHODS:
                wanted = preferred_language(request)
                if wanted != DEFAULT_LANGUAGE:
                    response = HttpResponseRedirect(f"/{wanted}{request.get_full_path()}")
                    patch_vary_headers(response, ("Accept-Language", "Cookie"))
                    return response
        request.LANGUAGE_CODE = code
        # for this request only: whatever runs next on the thread (another request, a task
        # run in-process) does not inherit the last page's language
        with translation.override(code):
            response = self.get_response(request)
        if not path_language(request.path_info):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", code)
        return response


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    name: str  # in its own language: a reader finds theirs whatever the page's language
    bidi: bool
    current: bool
    href: str  # this page in that language
    choose: str  # the chooser's address, which also remembers the choice


def language_choices(request: HttpRequest) -> list[LanguageChoice]:
    from urllib.parse import urlencode

    from django.urls import reverse

    current = translation.get_language()
    full_path = request.get_full_path()
    path, _, query = full_path.partition("?")
    choices = []
    for code, _name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        href = path_in_language(path, code) + (f"?{query}" if query else "")
        choices.append(
            LanguageChoice(
                code=code,
                name=info["name_local"],
                bidi=info["bidi"],
                current=code == current,
                href=href,
                choose=f"{reverse('language-choose', args=[code])}?{urlencode({'next': href})}",
            )
        )
    return choices


def language_name_in_text(code: str) -> str:
    """A language's own name as a sentence in it says it (CLDR: "français", not "Français")."""
    from babel import Locale

    return Locale.parse(code).languages.get(code) or translation.get_language_info(code)["name"]


def languages_context(request: HttpRequest) -> dict:
    """Every template's language facts: the chooser's entries and the page's direction."""
    code = translation.get_language() or DEFAULT_LANGUAGE
    return {
        "LANGUAGE_CODE": code,
        "LANGUAGE_BIDI": translation.get_language_bidi(),
        "language_choices": language_choices(request),
        "SITE_URL": settings.SITE_URL,
    }


def user_language(user, fallback: str = DEFAULT_LANGUAGE) -> str:
    """The language a member reads their e-mail in: the one they last chose (or signed up
    in); `fallback` for anyone who never chose."""
    from aimai_site.models import LanguagePreference

    if user is None or not getattr(user, "pk", None):
        return fallback
    code = (
        LanguagePreference.objects.filter(user_id=user.pk)
        .values_list("language", flat=True)
        .first()
    )
    return code if code in language_codes() else fallback


def remember_language(user, code: str) -> None:
    from aimai_site.models import LanguagePreference

    LanguagePreference.objects.update_or_create(user=user, defaults={"language": code})


def email_language(address: str, fallback: str = DEFAULT_LANGUAGE) -> str:
    """The language of the account an address belongs to; `fallback` for anyone else, or an
    account that never chose one."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(email__iexact=address).first()
    return user_language(user, fallback)
