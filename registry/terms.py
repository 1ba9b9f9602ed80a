"""The words the log's entries are found by: an index, so that a search reads the few entries
it finds and never scans the log.

Each entry gets rows of `SearchTerm` when it is appended: every word of its identifier (kind
"w"), every word of its organisation (kind "o") and its digest (kind "d"). A word is a run of
letters and digits, lowercased: "compact-swahili-asr" gives compact, swahili and asr, and
"principles@1" gives principles and 1. A search matches whole words, so "principles@1" finds
principles@1 and not principles@10; a word of six or more hex digits also finds the entries
whose digest starts with it. Withholding an entry takes its identifier and organisation words
out with its text; its digest, still public, stays findable.

The functions take the model class, as registry/appending.py does: the service passes the live
one, a data migration its historical one.
"""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

WORD = "w"  # a word of the identifier
ORGANISATION = "o"  # a word of the organisation's name
DIGEST = "d"  # the whole digest, lowercase hex
KINDS = ((WORD, _("word of the identifier")), (ORGANISATION, _("word of the organisation")))
KINDS += ((DIGEST, _("digest")),)

MAX_TERM = 100  # characters; a longer word is cut (the same way when searched)
MAX_WORDS = 8  # of a query: more are ignored
DIGEST_PREFIX = 6  # hex digits at least for a word to match the start of a digest
HEX = "0123456789abcdef"
_WORDS = re.compile(r"[^\W_]+")
_HEX = re.compile(r"^[0-9a-f]+$")


def words(text: str) -> list[str]:
    """The distinct words of `text`, lowercased, in order."""
    found = (w[:MAX_TERM] for w in _WORDS.findall(text.casefold()))
    return list(dict.fromkeys(found))


def entry_terms(*, identifier: str, organisation: str, digest: str) -> set[tuple[str, str]]:
    """(kind, term) pairs an entry is found by."""
    terms = {(WORD, w) for w in words(identifier)}
    terms |= {(ORGANISATION, w) for w in words(organisation)}
    if digest:
        terms.add((DIGEST, digest.lower()[:MAX_TERM]))
    return terms


def terms_store(term_model, entries) -> None:
    """Index appended entries (model instances with leaf_index, identifier, organisation and
    digest)."""
    rows = [
        term_model(entry_id=e.leaf_index, kind=kind, term=term)
        for e in entries
        for kind, term in sorted(
            entry_terms(identifier=e.identifier, organisation=e.organisation, digest=e.digest)
        )
    ]
    term_model.objects.bulk_create(rows, batch_size=2000)


def terms_withhold(term_model, leaf_indexes) -> None:
    """Withheld entries are no longer found by the words of their blanked text."""
    term_model.objects.filter(
        entry_id__in=list(leaf_indexes), kind__in=[WORD, ORGANISATION]
    ).delete()


def _after(prefix: str) -> str | None:
    """The first hex string after every string starting with `prefix` ("ab" -> "ac",
    "af" -> "b"), or None when there is none ("ff")."""
    while prefix and prefix[-1] == "f":
        prefix = prefix[:-1]
    return prefix[:-1] + HEX[HEX.index(prefix[-1]) + 1] if prefix else None


def _word_match(kind: str, word: str) -> Q:
    match = Q(kind=kind, term=word)
    if kind == WORD and len(word) >= DIGEST_PREFIX and _HEX.match(word):
        # the start of a digest: a range of the index, in the same order in any collation
        start = Q(kind=DIGEST, term__gte=word)
        end = _after(word)
        match |= start & Q(term__lt=end) if end else start
    return match


def matching(term_model, queryset, kind: str, text: str):
    """The entries of `queryset` that have every word of `text` (of `kind`) among their
    terms. The longest word (likely the rarest: "500" rather than "c" in "c-500") is looked up
    in the index of words; each other word is checked among the few terms of the entries it
    found, so a word most entries share costs nothing."""
    found = sorted(words(text)[:MAX_WORDS], key=len, reverse=True)
    if not found:
        return queryset
    first, *others = found
    queryset = queryset.filter(
        leaf_index__in=term_model.objects.filter(_word_match(kind, first)).values("entry_id")
    )
    for word in others:
        queryset = queryset.filter(
            Exists(
                term_model.objects.filter(_word_match(kind, word), entry_id=OuterRef("leaf_index"))
            )
        )
    return queryset
