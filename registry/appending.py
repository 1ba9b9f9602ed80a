"""Appending documents to the log, given the model classes to write with: the service passes
the live models, a data migration its historical ones, so both append in exactly one way."""

from __future__ import annotations

from registry import merkle
from registry.terms import terms_store

BATCH = 2000


def documents_append(
    *, entry_model, node_model, state, documents: list[dict], term_model=None
) -> list:
    """Append documents (each with event, id, url, digest, timestamp and optionally
    organisation and country) as consecutive leaves after the head `state`, which the caller
    has locked and checked; store the subtree hashes they complete and move the head on.

    Reads nothing of the log: the new leaves and nodes come from the head's frontier. With a
    `term_model`, the entries' search words are stored too (migrations written before the
    search index pass none: migration 0012 indexes what they appended).
    """
    frontier = [(level, bytes.fromhex(h)) for level, h in state.frontier]
    size = state.size
    entries, nodes = [], []
    for document in documents:
        text = merkle.canonical_json(document).decode("utf-8")
        leaf = merkle.leaf_hash(text.encode("utf-8"))
        nodes += [
            node_model(level=level, index=index, hash=h.hex())
            for (level, index), h in merkle.append(frontier, size, leaf)
        ]
        entries.append(
            entry_model(
                leaf_index=size,
                entry=text,
                leaf_hash=leaf.hex(),
                event=document["event"],
                identifier=document["id"],
                url=document["url"],
                digest=document["digest"],
                organisation=document.get("organisation", ""),
                country=document.get("country", ""),
                timestamp=document["timestamp"],
            )
        )
        size += 1
    entry_model.objects.bulk_create(entries, batch_size=BATCH)
    node_model.objects.bulk_create(nodes, batch_size=BATCH)
    if term_model is not None:
        terms_store(term_model, entries)
    state.size = size
    state.frontier = [[level, h.hex()] for level, h in frontier]
    state.save(update_fields=["size", "frontier"])
    return entries
