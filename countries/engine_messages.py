"""The engine's messages (countries/index/messages.py) in the reader's language.

The engine gives English text that keeps its template and values; a page, a form or an API
answer shows `gettext(template) % values` instead, with its place in the file in front.
"""

from collections.abc import Iterable

from django.utils.translation import gettext

from countries.index.messages import Message


def localized(message: object) -> str:
    """`message` in the active language; text that is not a Message as it is."""
    if not isinstance(message, Message):
        return str(message)
    text = gettext(message.template)
    if message.params:
        text = text % {key: localized(value) for key, value in message.params.items()}
    if not message.where:
        return text
    return gettext("%(where)s: %(message)s") % {
        "where": localized(message.where),
        "message": text,
    }


def localized_all(messages: Iterable[object]) -> list[str]:
    return [localized(message) for message in messages]
