"""Why an offer is suggested for a need, in the page's language: the matcher's explanation
(codes, compacts/matching.py) worded with the vocabularies' labels and locale data's names of
languages and countries. Rows computed before explanations were kept show their English."""

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from compacts.choices import Contribution, Domain, ResourceKind
from countries.names import country_name_from_locale_data
from countries.reference import iso2_of


def _locale() -> str:
    return to_locale(get_language() or "en")


def _listed(words: list[str]) -> str:
    return format_list(words, locale=_locale()) if words else ""


def _labels(choices, codes: list[str]) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels[code]).lower() if code in labels else code for code in codes]


def _language_names(codes: list[str]) -> list[str]:
    try:
        names = Locale.parse(_locale()).languages
    except (UnknownLocaleError, ValueError):
        names = {}
    return [names.get(code, code) for code in codes]


def _country(iso3: str) -> str:
    return country_name_from_locale_data(iso2_of(iso3), iso3)


def _worded(why: str, codes: list[str]) -> str | None:
    if why == "gives":
        kinds = _listed(_labels(ResourceKind, codes))
        return _("offers %(kinds)s, which the need asks for") % {"kinds": kinds}
    if why == "brings":
        brought = _listed(_labels(Contribution, codes))
        return _("the need brings %(brought)s, which the offer lacks") % {"brought": brought}
    if why == "domains":
        return _("shared domains: %(domains)s") % {"domains": _listed(_labels(Domain, codes))}
    if why == "languages":
        languages = _listed(_language_names(codes))
        return _("shared languages: %(languages)s") % {"languages": languages}
    if why == "mutual_aid" and len(codes) == 2:
        return _(
            "mutual aid: a high-capability provider (%(provider)s) with a high-burden "
            "country (%(country)s)"
        ) % {"provider": _country(codes[0]), "country": _country(codes[1])}
    if why == "cluster":
        return _("in the same cluster: %(clusters)s") % {"clusters": _listed(codes)}
    return None


def suggestion_reasons(suggestion) -> list[str]:
    """The suggestion's reasons in the active language (its stored English where it has no
    explanation, or one this version does not know)."""
    worded = [
        _worded(item.get("why", ""), list(item.get("codes", [])))
        for item in suggestion.explanation or []
    ]
    if not worded or None in worded:
        return list(suggestion.reasons)
    return worded
