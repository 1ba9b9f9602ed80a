"""Finding a country by what a reader types: a name or an ISO code, in any case, with or
without accents ("turkiye" finds Türkiye, "ken" finds Kenya, "cote d'ivoire" Côte d'Ivoire).

Plain functions over (ISO3, ISO2, name, official name) tuples: no request, no ORM.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

QUERY_MAX = 100  # characters: longer is not a country's name
SUGGESTIONS = 5
CLOSE, LOOSE = 0.7, 0.6  # difflib's similarity ratios
NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case, without accents, punctuation as single spaces: the form names are compared
    in."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return NOT_WORD.sub(" ", bare.casefold()).strip()


@dataclass(frozen=True)
class Candidate:
    iso3: str
    iso2: str
    name: str  # in the reader's language
    official_name: str = ""
    also: tuple[str, ...] = ()  # other names it is found by (the English one, in French)

    def names(self) -> list[str]:
        return [fold(n) for n in (self.name, self.official_name, *self.also) if n]


@dataclass(frozen=True)
class FindResult:
    query: str  # as folded; "" when nothing was asked
    matches: list[Candidate] = field(default_factory=list)
    exact: bool = False  # the query is a code or a whole name
    suggestions: list[Candidate] = field(default_factory=list)  # when nothing matches

    @property
    def unique(self) -> Candidate | None:
        """The one country the query names, if it names one."""
        return self.matches[0] if len(self.matches) == 1 else None


def country_find(query: str, candidates: Iterable[Candidate]) -> FindResult:
    """The countries a query names: a code (ISO3 or ISO2) or whole name names one; otherwise
    every country with the query in its name or official name, those whose name starts with
    it first; when none, the names closest to it."""
    folded = fold(query)
    candidates = list(candidates)
    if not folded:
        return FindResult(query="")
    exact = [
        c
        for c in candidates
        if folded in (c.iso3.casefold(), c.iso2.casefold()) or folded in c.names()
    ]
    if exact:
        return FindResult(query=folded, matches=exact, exact=True)
    found = [c for c in candidates if any(folded in n for n in c.names())]
    if found:

        def order(c: Candidate) -> tuple:
            name = fold(c.name)
            starts = name.startswith(folded)
            word = f" {folded}" in f" {name}"
            return (not starts, not word, c.name)

        return FindResult(query=folded, matches=sorted(found, key=order))
    return FindResult(query=folded, suggestions=suggestions_for(folded, candidates))


def suggestions_for(folded: str, candidates: list[Candidate]) -> list[Candidate]:
    """The countries whose name (or official name) is closest to the query, closest first."""
    by_name: dict[str, Candidate] = {}
    for c in candidates:
        for name in c.names():
            by_name.setdefault(name, c)
    names = list(by_name)
    # close names first; only when there are none, the looser ones
    close = difflib.get_close_matches(folded, names, n=SUGGESTIONS * 2, cutoff=CLOSE)
    close = close or difflib.get_close_matches(folded, names, n=SUGGESTIONS * 2, cutoff=LOOSE)
    picked: list[Candidate] = []
    for name in close:
        if by_name[name] not in picked:
            picked.append(by_name[name])
    return picked[:SUGGESTIONS]
