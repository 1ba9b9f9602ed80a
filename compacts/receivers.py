"""A new score set changes the mutual-aid signal: suggestions are recomputed after commit."""


def score_set_published(sender, publication, **kwargs) -> None:
    if publication.kind == "score_set":
        from compacts.suggestions import suggestions_recompute_soon

        suggestions_recompute_soon()
