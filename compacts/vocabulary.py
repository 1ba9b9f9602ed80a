"""Words members type, checked and spelled one way for forms, the API and matching alike."""

from __future__ import annotations

import re

from django.utils.functional import lazy
from django.utils.translation import gettext as _

from countries.choices import Region

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$", re.IGNORECASE)


def language_tag(code: str) -> str:
    """pt-br -> pt-BR, EN -> en: the spelling the matcher compares."""
    first, *rest = code.split("-")
    return "-".join([first.lower(), *(p.upper() if len(p) == 2 else p.lower() for p in rest)])


def languages_clean(codes: list) -> tuple[list[str], list[str]]:
    """(the codes as tags, without repeats; the words that are not language codes)."""
    wrong = [str(c) for c in codes if not isinstance(c, str) or not LANGUAGE_CODE.match(c)]
    tags = [language_tag(c) for c in codes if isinstance(c, str) and LANGUAGE_CODE.match(c)]
    return list(dict.fromkeys(tags)), wrong


def targets_clean(words: list, known_countries: set[str]) -> tuple[list[str], list[str]]:
    """(ISO alpha-3 codes upper-cased and UN regions as spelled, without repeats; the rest)."""
    regions = {r.lower(): r for r in Region.values}
    kept, unknown = [], []
    for word in words:
        if isinstance(word, str) and word.upper() in known_countries:
            kept.append(word.upper())
        elif isinstance(word, str) and word.lower() in regions:
            kept.append(regions[word.lower()])
        else:
            unknown.append(str(word))
    return list(dict.fromkeys(kept)), unknown


def _targets_help() -> str:
    return _("Use ISO alpha-3 codes such as KEN, or one of %(regions)s.") % {
        "regions": ", ".join(Region.values)
    }


# worded when it is shown, in the page's language
TARGETS_HELP = lazy(_targets_help, str)()
