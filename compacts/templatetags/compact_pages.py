"""Template filters of the compacts pages: numbers and stored codes as people read them."""

from django import template

from compacts import wording
from compacts.choices import Contribution, Domain, Licence, ResourceKind
from compacts.reasons import suggestion_reasons

register = template.Library()

VOCABULARIES = {
    "domain": Domain,
    "kind": ResourceKind,
    "licence": Licence,
    "contribution": Contribution,
}


@register.filter
def reasons(suggestion) -> list[str]:
    """Why the offer is suggested, in the page's language."""
    return suggestion_reasons(suggestion)


@register.filter
def plain(value) -> str:
    """A decimal without its stored trailing zeros: 38, 12.5, 5,000 (— when there is none)."""
    return wording.plain(value)


@register.filter
def labels(codes, vocabulary: str) -> str:
    """["climate", "health"] -> "Climate, Health" (— for none; unknown codes as they are)."""
    return wording.labels(codes, VOCABULARIES[vocabulary].choices)


@register.filter
def a_compact(status: str) -> str:
    """A status label with its noun: "A compact under review", "An active compact"."""
    return wording.a_compact(status)
