"""A new score set changes the mutual-aid signal: suggestions are recomputed after commit."""

from django.db import transaction


def score_set_published(sender, publication, **kwargs) -> None:
    if publication.kind == "score_set":
        from compacts.tasks import suggestions_recompute_task

        transaction.on_commit(suggestions_recompute_task.delay)
