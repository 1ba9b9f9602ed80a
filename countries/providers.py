"""What apps built on this one give it, registered at start-up.

The countries app knows nothing of compacts, yet the index counts what compacts commit and a
country page lists its compacts. The compacts app registers those functions here in its
`AppConfig.ready()`, so imports keep pointing one way; without it, there is nothing to count
or list.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass
class Providers:
    # rows of compact commitments, for the computed indicators that read them
    commitment_rows: Callable[[], list] = lambda: []
    # the public compacts that serve a country (by ISO3), for its page
    country_compacts: Callable[[str], Iterable] = lambda iso3: []
    # the active compacts behind a country's compact_commitments, with their points
    compacts_counted_for: Callable[[str], list] = lambda iso3: []
    # the public consultation behind methodology versions, in one query:
    # {version id: {"url", "title", "number", "decision", "reason", "decided_at"}}
    version_proposals: Callable[[list[int]], dict[int, dict]] = lambda ids: {}


providers = Providers()


def provide(**functions: Callable) -> None:
    """Register functions by name; an unknown name is a programming error."""
    for name, function in functions.items():
        if not hasattr(providers, name):
            raise AttributeError(f"no provider slot named {name!r}")
        setattr(providers, name, function)
