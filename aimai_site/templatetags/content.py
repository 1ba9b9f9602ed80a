"""Editor-written content in the page's language: `{% content_texts obj as texts %}` once per
object, then `{% content_piece texts "description" %}` for each piece (the text with its
`lang`, and a note when English stands in for a missing translation)."""

from django import template

from aimai_site.content import Texts, texts_of
from aimai_site.languages import language_name_in_text

register = template.Library()


@register.simple_tag
def content_texts(obj) -> Texts:
    return texts_of(obj)


@register.inclusion_tag("includes/content_piece.html")
def content_piece(texts: Texts, name: str, english: str | None = None, element: str = "p"):
    shown = texts.piece(name, english)
    return {
        "shown": shown,
        "element": element,
        "language_name": language_name_in_text(texts.language),
    }


@register.inclusion_tag("includes/untranslated_note.html")
def untranslated_note(texts: Texts):
    """The note under content shown in English because its translation is missing."""
    return {"language_name": language_name_in_text(texts.language)}


@register.filter
def piece(texts: Texts, name: str):
    return texts.piece(name)
