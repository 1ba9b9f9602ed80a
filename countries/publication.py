"""One call that every publishing service makes: "this public object now exists".

The transparency registry listens to `published` and appends an entry; the index recompute is
queued from the same place. Publishing services call `publication_record()` inside their
transaction; listeners run only after it commits, so nothing is announced that was rolled back.
"""

from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

# sent with publication=Publication(...) after the publishing transaction commits
published = Signal()


@dataclass(frozen=True)
class Publication:
    kind: str  # "data_release" | "methodology_version" | "score_set"
    identifier: str  # public identifier: a slug, "slug@version" or a digest
    url: str
    digest: str


def publication_record(publication: Publication) -> None:
    transaction.on_commit(
        lambda: published.send(sender=Publication, publication=publication), robust=False
    )


def index_recompute_after_commit() -> None:
    """Queue the index recompute once the publishing transaction has committed."""
    from countries.tasks import recompute_index_task  # tasks import the services

    transaction.on_commit(recompute_index_task.delay)
