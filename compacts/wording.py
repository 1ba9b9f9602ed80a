"""Stored codes and numbers as people read and write them. Pure Python: the templates, the admin
and the lifecycle's messages all word things the same way."""

from decimal import Decimal

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
    a longer one ("under review", "signed by every party") after it."""
    words = status.replace("_", " ").strip().lower()
    if " " in words:
        return f"A compact {words}"
    return f"{article(words).capitalize()} {words} compact"


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
    return ", ".join(names.get(code, code) for code in codes or ()) or "—"
