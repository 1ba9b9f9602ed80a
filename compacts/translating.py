"""Text marked for translation in the modules that import no Django (lifecycle.py, matching.py,
wording.py): read through Django's catalogues once Django runs with its settings, in English
otherwise. The names are Django's, so the catalogues find the text these modules mark."""

from __future__ import annotations

import sys


def _translation():
    """Django's translation module when Django runs with its settings; None otherwise."""
    translation = sys.modules.get("django.utils.translation")
    settings = getattr(sys.modules.get("django.conf"), "settings", None)
    if translation is None or settings is None or not settings.configured:
        return None
    return translation


def gettext(message: str) -> str:
    translation = _translation()
    return message if translation is None else translation.gettext(message)


def pgettext(context: str, message: str) -> str:
    translation = _translation()
    return message if translation is None else translation.pgettext(context, message)


class Lazy:
    """Text translated each time it is read, in the language of that moment."""

    __slots__ = ("_read",)

    def __init__(self, read) -> None:
        self._read = read

    def __str__(self) -> str:
        return self._read()

    def __repr__(self) -> str:
        return repr(str(self))

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def lower(self) -> str:
        return str(self).lower()


def gettext_lazy(message: str) -> Lazy:
    return Lazy(lambda: gettext(message))


def pgettext_lazy(context: str, message: str) -> Lazy:
    return Lazy(lambda: pgettext(context, message))
