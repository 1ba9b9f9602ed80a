"""Withholding an entry that names a person.

The log never changes: an entry's leaf hash is in the tree, and every signed head and proof
depends on it. What can go is the stored text. Withholding blanks an entry's text columns
(entry, identifier, url, organisation), keeps its leaf hash, so that its inclusion and every
consistency proof still verify, and appends a new entry `entry.withheld` naming the withheld
leaf (identifier `leaf:<index>`, digest = its leaf hash), so that the withholding itself is
public and a verifier can tell a withheld entry from a deleted one.

The functions take the model classes: the registry's service passes the live ones, a data
migration its historical ones (see compacts migration 0005).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from registry.appending import documents_append
from registry.terms import terms_withhold

WITHHELD_EVENT = "entry.withheld"
# in the feeds, the CSV and the API, which stay in English for every reader (pages say it in
# their reader's language)
WITHHELD_LABEL = "withheld (personal data)"
TEXT_COLUMNS = ("entry", "identifier", "url", "organisation")


def withheld_notice(leaf_index: int, leaf_hash: str, timestamp: int) -> dict:
    """The public entry that says leaf `leaf_index` was withheld: no personal data in it."""
    return {
        "event": WITHHELD_EVENT,
        "id": f"leaf:{leaf_index}",
        "url": f"/registry/{leaf_index}/",
        "digest": leaf_hash,
        "timestamp": timestamp,
    }


def entries_naming(entry_model, texts: Iterable[str]) -> list[int]:
    """Leaf indexes of the entries not yet withheld whose text columns contain any of `texts`
    (as written or as JSON escapes it), as a whole word: case-insensitive, and not inside a
    longer word, so that a short name does not take every entry that happens to contain it.
    """
    needles = set()
    for text in texts:
        if text and text.strip():
            needles |= {text.strip(), json.dumps(text.strip(), ensure_ascii=False)[1:-1]}
    if not needles:
        return []
    match = Q()
    for needle in needles:
        for column in TEXT_COLUMNS:
            match |= Q(**{f"{column}__icontains": needle})
    words = re.compile(
        "|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in sorted(needles, key=len, reverse=True)),
        re.IGNORECASE,
    )
    rows = entry_model.objects.filter(match, withheld_at__isnull=True).values_list(
        "leaf_index", *TEXT_COLUMNS
    )
    return sorted(index for index, *columns in rows if any(words.search(c) for c in columns))


def entries_withhold(
    *,
    entry_model,
    node_model,
    state,
    leaf_indexes: Iterable[int],
    reason: str,
    timestamp: int,
    term_model=None,
) -> list[int]:
    """Withhold these entries (those not withheld already) and append one `entry.withheld`
    notice for each, after the head `state`, which the caller has locked. Returns the leaf
    indexes withheld. With a `term_model`, the withheld entries' words leave the search index
    and the notices enter it."""
    rows = list(
        entry_model.objects.filter(leaf_index__in=set(leaf_indexes), withheld_at__isnull=True)
        .order_by("leaf_index")
        .values_list("pk", "leaf_index", "leaf_hash")
    )
    if not rows:
        return []
    now = timezone.now()
    # the append-only trigger lets exactly this update through: text blanked, hash kept
    entry_model.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(
        **dict.fromkeys(TEXT_COLUMNS, ""), withheld_at=now, withheld_reason=reason[:200]
    )
    if term_model is not None:
        terms_withhold(term_model, [index for _, index, _ in rows])
    documents_append(
        entry_model=entry_model,
        node_model=node_model,
        state=state,
        documents=[withheld_notice(index, leaf, timestamp) for _, index, leaf in rows],
        term_model=term_model,
    )
    return [index for _, index, _ in rows]
