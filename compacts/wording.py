"""Stored codes and numbers as people read and write them. No database: the templates, the
admin and the lifecycle's messages all word things the same way, in the page's language."""

from decimal import Decimal

from compacts.translating import gettext_lazy as _

# a compact with its status, by the status's words: the code ("signed") or its label ("signed
# by every party"), as the lifecycle's refusals and the pages name it
A_COMPACT = {
    "draft": _("A draft compact"),
    "proposed": _("A proposed compact"),
    "signed": _("A signed compact"),
    "signed by every party": _("A compact signed by every party"),
    "under review": _("A compact under review"),
    "active": _("An active compact"),
    "completed": _("A completed compact"),
    "terminated": _("A terminated compact"),
    "withdrawn": _("A withdrawn compact"),
    "superseded": _("A superseded compact"),
    "superseded by an amendment": _("A compact superseded by an amendment"),
}

# letters that do not sound as they look: "a unit", "a one-off", but "an hour"
_CONSONANT_SOUNDS = ("uni", "use", "usu", "ure", "eu", "one", "once")
_VOWEL_SOUNDS = ("hour", "honest", "honour", "heir")


def article(words: str) -> str:
    """'an' before a vowel sound, 'a' otherwise: an active, a proposed, a unit, an hour."""
    first = words.strip().lower()
    if first.startswith(_VOWEL_SOUNDS):
        return "an"
    if first[:1] in ("a", "e", "i", "o", "u") and not first.startswith(_CONSONANT_SOUNDS):
        return "an"
    return "a"


def a_compact(status: str) -> str:
    """'An active compact', 'A compact under review': a one-word status goes before the noun,
    a longer one ("under review", "signed by every party") after it. A status code or label
    (in the language of the page) reads in that language."""
    words = str(status).replace("_", " ").strip().lower()
    if words not in A_COMPACT:  # a label in another language
        words = _status_words(str(status)).replace("_", " ").strip().lower()
    if words in A_COMPACT:
        return str(A_COMPACT[words])
    if " " in words:
        return f"A compact {words}"
    return f"{article(words).capitalize()} {words} compact"


# the words of a status's label, where they are not its code's
_LABEL_WORDS = {"signed": "signed by every party", "superseded": "superseded by an amendment"}


def _status_words(status: str) -> str:
    """A compact status label, in the page's language, back to its English words."""
    from compacts.choices import CompactStatus  # a label comes from a page: Django runs

    for member in CompactStatus:
        if status == str(member.label):
            return _LABEL_WORDS.get(member.value, member.value)
    return status


def plain(value) -> str:
    """A decimal without its stored trailing zeros: 38, 12.5, 5,000 (— when there is none)."""
    if value is None or value == "":
        return "—"
    number = Decimal(value).normalize()
    return f"{number:,f}"


def amount(value, unit: str = "") -> str:
    """A number with its unit, as written: 5,000 GPU-hours, 38%."""
    if value is None or value == "":
        return "—"
    if not unit:
        return plain(value)
    return f"{plain(value)}{'' if unit == '%' else ' '}{unit}"


def change(baseline, target, unit: str = "") -> str:
    """An outcome's way from its baseline to its target: 0 → 40, 38% → 15%."""
    return f"{amount(baseline, unit)} → {amount(target, unit)}"


def labels(codes, choices) -> str:
    """["climate", "health"] -> "Climate, Health" (— for none; unknown codes as they are)."""
    names = dict(choices)
    return ", ".join(str(names.get(code, code)) for code in codes or ()) or "—"
