"""One call that every publishing service makes: "this public object now exists".

The transparency registry listens to `published` and appends an entry. Publishing services
call `publication_record()` inside their transaction and listeners run inside it too, so a
publication and its log entry commit together or not at all: nothing is announced that was
rolled back, and nothing published goes unlogged.
"""

from dataclasses import dataclass

from django.dispatch import Signal

from aimai_site.outbox import outbox_enqueue

# sent with publication=Publication(...) inside the publishing transaction
published = Signal()


@dataclass(frozen=True)
class Publication:
    kind: str  # "data_release" | "methodology_version" | "score_set"
    identifier: str  # public identifier: a slug, "slug@version" or a digest
    url: str
    digest: str
    note_digest: str = ""  # SHA-256 of a public note that goes with it (a correction's)


def publication_record(publication: Publication) -> None:
    published.send(sender=Publication, publication=publication)


def index_recompute_after_commit() -> None:
    """Record the index recompute with the publishing transaction; it runs once that commits."""
    outbox_enqueue("countries.tasks.recompute_index_task")
