"""The glossary (locale/glossary.csv) fixes how the platform's own terms are translated: an
entry marked `enforced` must appear, as the glossary writes it, in every translation of a
string that uses the term (its last word is enough: grammar may change what precedes it)."""

import csv
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "locale" / "glossary.csv"
LANGUAGES = ("fr", "es", "ar")


def glossary() -> list[dict]:
    with GLOSSARY.open(encoding="utf-8") as source:
        return list(csv.DictReader(source))


def key(translation: str, code: str) -> str:
    """What a translation must contain: the term's last word (Arabic: less its article)."""
    last = translation.split()[-1].lower()
    if code == "ar":
        last = re.sub(r"^(ال|لل)", "", last)
    return last


# placeholders, tags and their attributes (addresses, query strings) are not text
# and neither are code and identifiers (registry.verify, compact-swahili-asr)
NOT_TEXT = re.compile(
    r"<code>.*?</code>|%\(\w+\)[sdfi]|\{\w+\}|<[^>]*>|\b\w+(?:[-_.@]\w+)+\b", re.S
)


def test_the_glossary_has_a_translation_of_every_term_in_every_language():
    for row in glossary():
        assert all(row[code].strip() for code in LANGUAGES), row["term"]


@pytest.mark.parametrize("code", LANGUAGES)
def test_enforced_terms_are_translated_as_the_glossary_says(code):
    rows = glossary()
    terms = [row for row in rows if row["enforced"] == "yes"]
    # a term or its plural (Arabic plurals change the word's stem: ميثاق, مواثيق)
    by_term = {row["term"]: row for row in rows}
    accepted = {
        row["term"]: {
            key(other[code], code)
            for other in (row, by_term.get(row["term"] + "s"), by_term.get(row["term"][:-1]))
            if other
        }
        for row in terms
    }
    found = []
    for po in sorted((ROOT / "locale" / code / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as source:
            catalogue = read_po(source, locale=code)
        for message in catalogue:
            if not message.id or not message.string:
                continue
            source_text = " ".join(message.id) if isinstance(message.id, tuple) else message.id
            source_text = NOT_TEXT.sub(" ", source_text)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            # a plural's forms share the term between them (singular, plural)
            check = any if isinstance(message.string, tuple) else all
            if not any(strings):
                continue  # not translated yet: tests/i18n/test_catalogues.py says so
            for row in terms:
                if re.search(rf"\b{re.escape(row['term'])}\b", source_text):
                    wanted = accepted[row["term"]]
                    if not check(any(w in s.lower() for w in wanted) for s in strings if s):
                        found.append(f"{row['term']!r} -> {row[code]!r} not in {strings[0]!r}")
    assert not found, f"{len(found)} strings stray from the glossary:\n" + "\n".join(found[:40])
