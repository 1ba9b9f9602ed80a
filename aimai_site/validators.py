"""What people may type into names, texts and web addresses shown to others.

A name or title is one line: no control character (a line break in a name ends up in an
e-mail header) and no character that reverses the direction of the text around it (U+202A to
U+202E, U+2066 to U+2069), which can make a name read as something else. A longer text may
keep its line breaks and tabs, and nothing else of either kind. A web address holds only
the characters a URI may hold."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# RFC 3986: unreserved and reserved characters, and percent-encoded octets; nothing else
URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")


def web_address_check(value: str) -> None:
    """A web address as the API's schema describes it (`format: uri`): URLValidator alone lets
    through characters a URI may not hold (spaces aside): quotes, < >, non-ASCII letters."""
    if value and not URI_CHARACTERS.fullmatch(value):
        raise ValidationError(
            _(
                "Use only the characters a web address allows: write an international domain "
                "name in its xn-- form and percent-encode other characters (quotes, < >, "
                "accented letters)."
            ),
            code="invalid",
        )


BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
# C0 controls, DEL and the C1 controls
_SINGLE_LINE_REFUSED = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
_TEXT_REFUSED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}]")

# messages, translated where they are raised
SINGLE_LINE_MESSAGE = gettext_noop(
    "Write this on one line, without control characters or text-direction overrides."
)
TEXT_MESSAGE = gettext_noop(
    "Remove the control characters or text-direction overrides from this text."
)


@deconstructible
class PlainTextValidator:
    """Refuses control and bidi-override characters; `multiline` allows line breaks and tabs."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value) -> None:
        refused = _TEXT_REFUSED if self.multiline else _SINGLE_LINE_REFUSED
        found = refused.search(str(value))
        if found:
            raise ValidationError(
                _(TEXT_MESSAGE if self.multiline else SINGLE_LINE_MESSAGE),
                code="control_character",
                params={"character": f"U+{ord(found.group()):04X}"},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, PlainTextValidator) and other.multiline == self.multiline


single_line = PlainTextValidator()
plain_text = PlainTextValidator(multiline=True)


# Scripts whose letters look alike ("О" Cyrillic, "Ο" Greek, "O" Latin): a name may use one
# of them, never two. Other scripts mix freely (Latin with Han or Devanagari reads as it is).
LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC")
MIXED_SCRIPTS_MESSAGE = gettext_noop(
    "This name mixes letters of different alphabets (%(scripts)s) that look alike; write it "
    "in one alphabet."
)


def lookalike_scripts(value: str) -> list[str]:
    """The look-alike scripts the letters of `value` come from, by their Unicode names."""
    found = []
    for char in unicodedata.normalize("NFKC", value):
        if not char.isalpha():
            continue
        script = unicodedata.name(char, "").split(" ", 1)[0]
        if script in LOOKALIKE_SCRIPTS and script not in found:
            found.append(script)
    return found


def one_alphabet(value: str) -> None:
    """Refuses a name that mixes look-alike alphabets, e.g. "Оpen" with a Cyrillic О."""
    scripts = lookalike_scripts(str(value))
    if len(scripts) > 1:
        raise ValidationError(
            _(MIXED_SCRIPTS_MESSAGE)
            % {"scripts": get_text_list([s.capitalize() for s in scripts], _("and"))},
            code="mixed_scripts",
        )


def name_key(value: str) -> str:
    """A name as people read it: NFKC, case folded, punctuation and spaces as one space. Two
    names with the same key are the same name ("Open  Compute, Co-op" and "open compute co op")."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())
