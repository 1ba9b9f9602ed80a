"""Sentences built from data, as the page's language builds them."""

from babel.lists import format_list
from django import template
from django.utils.translation import get_language, to_locale

register = template.Library()


def _attribute(item, path: str):
    for name in filter(None, path.split(".")):
        item = getattr(item, name)
    return item


@register.filter
def spoken_list(items, attribute: str = "") -> str:
    """Items (or an attribute of each, `"organisation.name"`) joined as a sentence in the
    page's language lists them, by CLDR's rules: "A, B, and C", "A, B et C", "A y B"."""
    values = [str(_attribute(item, attribute)) for item in items]
    return format_list(values, locale=to_locale(get_language() or "en")) if values else ""
