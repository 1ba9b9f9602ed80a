"""The principles' text as data: the founding version, and the digest that enters the log."""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext as _

from registry.merkle import canonical_json

# as the alliance's founding text states them (digested into the log: never translated here)
FOUNDING = [
    {
        "title": "Shared capability over dominance",
        "text": "Progress is measured by how much intelligence is shared and strengthened "
        "globally.",
    },
    {
        "title": "Mutual aid by design",
        "text": "Cooperation is formalised through reciprocal, auditable agreements, not left "
        "to ad-hoc goodwill.",
    },
    {
        "title": "Safeguarded contribution",
        "text": "Local insights flow via sovereign data trusts, reciprocal licensing and "
        "transparent registries to prevent misuse.",
    },
    {
        "title": "Pluralism as safety",
        "text": "Diverse cultures, values, languages and ethics make models and governance more "
        "robust and legitimate.",
    },
    {
        "title": "Accountability and redress",
        "text": "Public and private actors share responsibility for benefits, risks and remedies.",
    },
]
FOUNDING_NOTE = "The founding principles."


def principles_document(version: int, principles: list[dict], note: str, renewal_days: int):
    return {
        "version": version,
        "principles": [{"title": p["title"], "text": p["text"]} for p in principles],
        "note": note,
        "renewal_days": renewal_days,
    }


def principles_digest(document: dict) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


def principles_clean(principles) -> list[dict]:
    """A list of titled principles, each with its text; anything else is refused."""
    from aimai_site.errors import InvalidInput

    if not isinstance(principles, list) or not principles:
        raise InvalidInput(_("The principles are a non-empty list."), field="principles")
    cleaned = []
    for n, item in enumerate(principles, start=1):
        title = str(item.get("title", "")).strip() if isinstance(item, dict) else ""
        text = str(item.get("text", "")).strip() if isinstance(item, dict) else ""
        if not title or not text:
            raise InvalidInput(
                _("Principle %(n)s needs a title and a text.") % {"n": n}, field="principles"
            )
        cleaned.append({"title": title, "text": text})
    return cleaned
