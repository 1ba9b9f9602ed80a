"""Country and region names in the reader's language, from CLDR (Babel's locale data).

English shows the names stored on each country (from ISO 3166 and the UN M49 standard, and
editors may correct them). Every other language takes CLDR's territory name for the country's
ISO alpha-2 code, or for the region's M49 code, and falls back to the English where CLDR has
none; formal names come from the ISO 3166 translations pycountry ships. Files and the API
are written in English, so they keep the stored names.
"""

from __future__ import annotations

import gettext
import unicodedata
from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language

from countries.reference import M49_CODES

ENGLISH = "en"
UNKNOWN = "ZZ"  # CLDR's code for an unknown region


@lru_cache(maxsize=16)
def _territories(language: str) -> dict[str, str]:
    try:
        names = dict(Locale.parse(language.replace("-", "_")).territories)
    except (UnknownLocaleError, ValueError):
        return {}
    names.pop(UNKNOWN, None)  # "Unknown region" is no country's name
    return names


def _reader_language(language: str | None) -> str:
    return (language or get_language() or ENGLISH).split("-")[0].lower()


def territory_name(code: str, english: str, language: str | None = None) -> str:
    """CLDR's name of a territory (ISO alpha-2 or M49 code) in `language`, else `english`."""
    language = _reader_language(language)
    if language == ENGLISH or not code:
        return english
    return _territories(language).get(code, english)


def country_name(iso2: str, english: str, language: str | None = None) -> str:
    return territory_name(iso2.upper(), english, language)


@lru_cache(maxsize=16)
def _iso3166_catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, [language], fallback=True)


def official_name(english: str, language: str | None = None) -> str:
    """A country's formal name (ISO 3166-1's) as the ISO code lists translate it, which
    pycountry ships; the English where they have none."""
    language = _reader_language(language)
    if language == ENGLISH or not english:
        return english
    return _iso3166_catalogue(language).gettext(english)


def country_name_from_locale_data(iso2: str, fallback: str, language: str | None = None) -> str:
    """CLDR's name of a country in `language`, English included: for text that names a
    country by its code alone, without the stored name at hand."""
    return _territories(_reader_language(language)).get(iso2.upper(), fallback)


def region_name(english: str, language: str | None = None) -> str:
    """A UN M49 region, sub-region or intermediate region, named by its English M49 name."""
    return territory_name(M49_CODES.get(english, ""), english, language)


def name_sort_key(name: str) -> str:
    """Alphabetical order in any of the platform's scripts: accents and case folded away
    (Åland next to Albania, Égypte next to Équateur)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
