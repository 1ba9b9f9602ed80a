"""Template filters of the compacts pages: numbers and stored codes as people read them."""

from decimal import Decimal

from django import template

from compacts.choices import Contribution, Domain, Licence, ResourceKind

register = template.Library()

VOCABULARIES = {
    "domain": Domain,
    "kind": ResourceKind,
    "licence": Licence,
    "contribution": Contribution,
}


@register.filter
def plain(value) -> str:
    """A decimal without its stored trailing zeros: 38, 12.5, 5,000 (— when there is none)."""
    if value is None or value == "":
        return "—"
    number = Decimal(value).normalize()
    return f"{number:,f}"


@register.filter
def labels(codes, vocabulary: str) -> str:
    """["climate", "health"] -> "Climate, Health" (— for none; unknown codes as they are)."""
    names = dict(VOCABULARIES[vocabulary].choices)
    return ", ".join(names.get(code, code) for code in codes or ()) or "—"
