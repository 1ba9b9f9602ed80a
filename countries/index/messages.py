"""The engine's messages to people (a methodology file's problems, a what-if state's).

The engine imports no Django, so it cannot translate. Each message is its English text (a
`str`, as logs, files and tests read it) that also keeps its template, the template's values
and where the problem is; a page shows it in the reader's language from those
(countries/engine_messages.py). `gettext_noop` marks a template for the extraction tool.
"""

from __future__ import annotations

from collections.abc import Mapping


def gettext_noop(message: str) -> str:
    return message


class Message(str):
    """English text: `where: template % params` (without `where: ` when there is no place).

    `where` is a location in a file (`index.weights.burden`), or a Message itself when it is
    words ("(top level)"); a value may be a Message too (a phrase inside a sentence).
    """

    template: str
    params: Mapping[str, object]
    where: str

    def __new__(
        cls, template: str, params: Mapping[str, object] | None = None, where: str = ""
    ) -> Message:
        params = dict(params or {})
        text = template % params if params else template
        self = super().__new__(cls, f"{where}: {text}" if where else text)
        self.template, self.params, self.where = template, params, where
        return self
