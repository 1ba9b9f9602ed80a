"""Content editors write in English, shown in the reader's language where an editor has
translated it, else in English with a visible note.

Each app says which pieces of its objects can be translated (`translatable`, from its
AppConfig.ready): a function giving an object's English texts by piece name. A page asks for
an object's texts once (`texts_of`): one query whatever the language, so a page costs the
same in every language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import translation

from aimai_site.languages import DEFAULT_LANGUAGE

_PIECES: dict[str, Callable[[models.Model], dict[str, str]]] = {}


def translatable(model: type[models.Model], pieces: Callable[[models.Model], dict[str, str]]):
    """Registers the translatable pieces of a model's objects: `pieces(obj)` gives
    {piece name: English text}."""
    _PIECES[model._meta.label_lower] = pieces


def english_pieces(obj: models.Model) -> dict[str, str]:
    pieces = _PIECES.get(obj._meta.label_lower)
    return pieces(obj) if pieces else {}


def translatable_models() -> list[str]:
    return sorted(_PIECES)


@dataclass(frozen=True)
class Shown:
    """A piece as a page shows it: its text, the language it is in, and whether that is the
    English standing in for a missing translation."""

    text: str
    language: str
    fallback: bool

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


class Texts:
    """An object's pieces in the active language (English where a translation is missing)."""

    def __init__(self, obj: models.Model, language: str, translated: dict[str, str]) -> None:
        self.obj = obj
        self.language = language
        self.translated = translated
        self.english = english_pieces(obj)

    def piece(self, name: str, english: str | None = None) -> Shown:
        english = self.english.get(name, "") if english is None else english
        if self.language == DEFAULT_LANGUAGE or not english:
            return Shown(english, DEFAULT_LANGUAGE, False)
        text = self.translated.get(name)
        if text:
            return Shown(text, self.language, False)
        return Shown(english, DEFAULT_LANGUAGE, True)

    def __getitem__(self, name: str) -> Shown:
        # only the object's pieces: templates fall back to attributes (`texts.any_fallback`)
        if name not in self.english:
            raise KeyError(name)
        return self.piece(name)

    @property
    def any_fallback(self) -> bool:
        return any(self.piece(name).fallback for name in self.english)


def texts_of(obj: models.Model, language: str | None = None) -> Texts:
    """One query, in English too (so a page's cost does not depend on its language)."""
    return texts_for([obj], language)[obj.pk]


def texts_for(objects: list[models.Model], language: str | None = None) -> dict[int, Texts]:
    """The texts of several objects of one model, by primary key: one query for them all."""
    from aimai_site.models import ContentTranslation

    language = language or translation.get_language() or DEFAULT_LANGUAGE
    translated: dict[int, dict[str, str]] = {obj.pk: {} for obj in objects}
    if objects:
        rows = ContentTranslation.objects.filter(
            content_type=ContentType.objects.get_for_model(objects[0]),
            object_id__in=list(translated),
            language=language,
        ).values_list("object_id", "field", "text")
        for object_id, field, text in rows:
            translated[object_id][field] = text
    return {obj.pk: Texts(obj, language, translated[obj.pk]) for obj in objects}
