"""Validators shared by the site's forms and the API."""

import re

from django.core.exceptions import ValidationError

# RFC 3986: unreserved and reserved characters, and percent-encoded octets; nothing else
URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")


def web_address_check(value: str) -> None:
    """A web address as the API's schema describes it (`format: uri`): URLValidator alone lets
    through characters a URI may not hold (spaces aside): quotes, < >, non-ASCII letters."""
    if value and not URI_CHARACTERS.fullmatch(value):
        raise ValidationError(
            "Use only the characters a web address allows: write an international domain "
            "name in its xn-- form and percent-encode other characters (quotes, < >, "
            "accented letters).",
            code="invalid",
        )
